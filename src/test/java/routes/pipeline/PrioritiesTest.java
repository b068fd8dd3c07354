package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/** Priorities: the YAML rule picks the inbound topic; urgent work overtakes a batch backlog. */
class PrioritiesTest extends CaravanIntegrationTest {

    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    private ProducerTemplate producer;

    private static Envelope message(String chat, String id, String text, Priority priority) {
        return Envelope.builder().id(id).traceId("t-" + id).channel("rest").chatId(chat).chatType(ChatType.DIRECT)
                .senderId("prio-user").text(text).priority(priority).receivedAt(Instant.now()).build();
    }

    @Test
    void theShippedRuleSendsCommandsToTheUrgentTopic() {
        String chat = uniqueChat("prio-rule");
        producer.requestBody("direct:publish", message(chat, chat + "-1", "/usage", Priority.REALTIME));
        producer.requestBody("direct:publish", message(chat, chat + "-2", "just chatting", Priority.REALTIME));
        assertThat(kafka.readUntil("caravan.inbound.urgent", r -> ("rest:" + chat).equals(r.key()),
                        l -> !l.isEmpty(), Duration.ofSeconds(10)))
                .extracting(r -> EnvelopeCodec.decode(r.value()).id()).containsExactly(chat + "-1");
        assertThat(kafka.readUntil("caravan.inbound", r -> ("rest:" + chat).equals(r.key()),
                        l -> !l.isEmpty(), Duration.ofSeconds(10)))
                .extracting(r -> EnvelopeCodec.decode(r.value()).id()).containsExactly(chat + "-2");
    }

    @Test
    void anUrgentMessageOvertakesABatchBacklog() {
        MODEL.delay(Duration.ofMillis(400));
        String chat = uniqueChat("prio-backlog");
        int backlog = 15;
        for (int i = 1; i <= backlog; i++) {
            kafka.accept(message(chat, chat + "-b" + i, "batch job " + i, Priority.BATCH));
        }
        // the same conversation: batch messages are answered one after another, 400 ms each
        Envelope urgent = message(chat, chat + "-u", "/urgent answer me now", Priority.REALTIME);
        producer.requestBody("direct:publish", urgent);
        Envelope reply = kafka.repliesTo(urgent, 1, Duration.ofSeconds(30), false).get(0);
        List<Envelope> batchRepliesSoFar = kafka.readUntil("caravan.outbound.rest",
                        r -> ("rest:" + chat).equals(r.key()), l -> true, Duration.ofSeconds(1))
                .stream().map(r -> EnvelopeCodec.decode(r.value()))
                .filter(e -> e.inReplyTo() != null && e.inReplyTo().matches(".*-b\\d+")).toList();
        assertThat(reply.meta("error")).isNull();
        assertThat(batchRepliesSoFar).as("batch replies before the urgent one").hasSizeLessThan(backlog / 2);
        // and the backlog is still answered completely, in order
        List<Envelope> all = kafka.readUntil("caravan.outbound.rest", r -> ("rest:" + chat).equals(r.key()),
                        l -> l.size() >= backlog + 1, Duration.ofSeconds(60))
                .stream().map(r -> EnvelopeCodec.decode(r.value()))
                .filter(e -> e.inReplyTo().matches(".*-b\\d+")).toList();
        assertThat(all).extracting(Envelope::inReplyTo)
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, backlog)
                        .mapToObj(i -> chat + "-b" + i).toList());
    }

    @Autowired
    private org.apache.camel.CamelContext camel;

    @Test
    void theBackgroundPrioritiesKeepLowerCapsInFlight() {
        // the caps themselves are the ordered-kafka consumer's (OrderedKafkaConsumerTest); here: each priority's
        // pipeline consumer gets its own, so a batch backlog cannot fill the model client, Redis and the producer
        java.util.Map<String, Integer> caps = new java.util.TreeMap<>();
        for (Priority priority : Priority.values()) {
            var endpoint = (routes.infra.kafka.OrderedKafkaEndpoint) camel.getRoute("pipeline-consume-"
                    + priority.json()).getEndpoint();
            caps.put(priority.json(), endpoint.getMaxConcurrency());
        }
        assertThat(caps).containsExactlyInAnyOrderEntriesOf(
                java.util.Map.of("urgent", 2000, "realtime", 2000, "batch", 32, "low", 8));
    }
}
