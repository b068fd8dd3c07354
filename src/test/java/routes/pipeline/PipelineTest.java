package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.ops.DeadLetters;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/** The processor routes seen from Kafka: records in, replies and dead letters out. */
class PipelineTest extends CaravanIntegrationTest {

    private static final KafkaTestSupport kafka = TestInfra.kafka();

    private static Envelope message(String chat, String id, String text) {
        return Envelope.builder().id(id).traceId("trace-" + id).channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId("tester").text(text).priority(Priority.REALTIME)
                .receivedAt(Instant.now()).build();
    }

    private static void accept(Envelope e) {
        kafka.send("caravan.inbound", e.kafkaKey(), EnvelopeCodec.encode(e));
    }

    private static List<Envelope> replies(String chatPrefix, int expected, Duration timeout) {
        return kafka.readUntil("caravan.outbound.rest",
                        r -> r.key() != null && r.key().startsWith("rest:" + chatPrefix),
                        list -> list.size() >= expected, timeout)
                .stream().map(r -> EnvelopeCodec.decode(r.value())).toList();
    }

    @Test
    void redeliveredMessageGetsOneReply() {
        String chat = uniqueChat("redelivered");
        Envelope m = message(chat, chat + "-1", "answer me once");
        accept(m);
        accept(m);
        accept(message(chat, chat + "-2", "and then this"));
        List<Envelope> replies = replies(chat, 2, Duration.ofSeconds(30));
        assertThat(replies).extracting(Envelope::inReplyTo).containsExactly(chat + "-1", chat + "-2");
        assertThat(modelCallsFor("answer me once"))
                .as("a rebalance between test instances may repeat a model call; never the reply")
                .isBetween(1L, 2L);
    }

    @Test
    void poisonRecordsGoToTheDlqWithTheirReasonAndDoNotBlockTheChat() {
        String chat = uniqueChat("poison");
        String key = "rest:" + chat;
        kafka.send("caravan.inbound", key, new byte[] {(byte) 0xff, 0x00, 0x13});
        String deep = "{\"v\":1,\"id\":\"d\",\"channel\":\"rest\",\"chatId\":\"" + chat + "\",\"x\":"
                + "[".repeat(5000) + "]".repeat(5000) + "}";
        kafka.send("caravan.inbound", key, deep.getBytes(StandardCharsets.UTF_8));
        kafka.send("caravan.inbound", key, "{\"v\":1,\"text\":\"no ids\"}".getBytes(StandardCharsets.UTF_8));
        // a well-formed envelope, but 600 KB: larger than any channel's message (16 x max-text = 512 KB)
        kafka.send("caravan.inbound", key, EnvelopeCodec.encode(message(chat, chat + "-huge", "x".repeat(600_000))));
        accept(message(chat, chat + "-ok", "after the poison"));

        List<ConsumerRecord<String, byte[]>> dead = kafka.readUntil("caravan.dlq", r -> key.equals(r.key()),
                list -> list.size() >= 4, Duration.ofSeconds(30));
        assertThat(dead).hasSize(4);
        List<String> reasons = new ArrayList<>();
        dead.forEach(r -> reasons.add(DeadLetters.entry(r).reason()));
        assertThat(reasons.get(0)).contains("not an envelope");
        assertThat(reasons.get(1)).contains("nesting");
        assertThat(reasons.get(2)).contains("lacks id");
        assertThat(reasons.get(3)).contains("record of 600").contains("larger than the 524288 bytes");
        assertThat(modelCallsFor("x".repeat(600_000))).isZero();
        assertThat(dead.get(0).value()).containsExactly((byte) 0xff, 0x00, 0x13);
        assertThat(new String(dead.get(0).headers().lastHeader("caravan-dlq-source-topic").value(),
                StandardCharsets.UTF_8)).isEqualTo("caravan.inbound");

        assertThat(replies(chat, 1, Duration.ofSeconds(30))).extracting(Envelope::text)
                .containsExactly("echo: after the poison");
    }

    @Test
    void manyChatsAreAnsweredConcurrentlyEachInOrder() {
        MODEL.delay(Duration.ofMillis(300));
        String prefix = uniqueChat("many");
        int chats = 200;
        int perChat = 5;
        Map<String, List<String>> sent = new LinkedHashMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < perChat; i++) {
            for (int c = 0; c < chats; c++) {
                String chat = prefix + "-" + c;
                String id = chat + "-" + i;
                sent.computeIfAbsent(chat, k -> new ArrayList<>()).add(id);
                accept(message(chat, id, "message " + i + " of " + chat));
            }
        }
        List<Envelope> replies = replies(prefix, chats * perChat, Duration.ofSeconds(90));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(replies).hasSize(chats * perChat);
        Map<String, List<String>> answered = new LinkedHashMap<>();
        replies.forEach(r -> answered.computeIfAbsent(r.chatId(), k -> new ArrayList<>()).add(r.inReplyTo()));
        assertThat(answered).isEqualTo(sent);
        // one at a time this is 1,000 × 300 ms = 300 s; per-chat order allows 5 × 300 ms plus overheads
        assertThat(elapsedMs).isLessThan(90_000);
        System.out.printf("manyChats: %d replies in %d ms (one at a time would take %d ms)%n",
                replies.size(), elapsedMs, chats * perChat * 300L);
    }
}
