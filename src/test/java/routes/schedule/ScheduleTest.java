package routes.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.ProducerTemplate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.infra.RoutesDirectory;
import routes.pipeline.KafkaPublishRoute;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;
import routes.support.WsTestClient;

/** Reminders and scheduled jobs: fired by one leader, as Kafka messages, once per trigger, also after downtime. */
class ScheduleTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    private Reminders reminders;

    @Autowired
    private ProducerTemplate producer;

    @Autowired
    private RoutesDirectory routes;

    @Autowired
    private org.springframework.data.redis.core.StringRedisTemplate redis;

    @Test
    void whenParsesRelativeTimesTimesOfDayAndDates() {
        Instant now = Instant.parse("2026-11-23T18:00:00Z");
        assertThat(When.parse("10m stretch", now)).isEqualTo(new When.Parsed(now.plusSeconds(600), "stretch"));
        assertThat(When.parse("in 2h call Sam", now).at()).isEqualTo(now.plusSeconds(7200));
        assertThat(When.parse("18:30 tea", now).at()).isEqualTo(Instant.parse("2026-11-23T18:30:00Z"));
        assertThat(When.parse("17:00 tea", now).at()).isEqualTo(Instant.parse("2026-11-24T17:00:00Z"));
        assertThat(When.parse("2026-12-24T09:00 presents", now))
                .isEqualTo(new When.Parsed(Instant.parse("2026-12-24T09:00:00Z"), "presents"));
        assertThat(When.parse("someday maybe", now)).isNull();
        assertThat(When.parse("25:00 nope", now)).isNull();
    }

    @Test
    void aReminderIsDeliveredOnceEvenWhenPublishedTwice() {
        String chat = uniqueChat("remind");
        try (WsTestClient ws = WsTestClient.connect(baseUrl(), chat)) {
            ws.sendMessage(chat, chat + "-1", "/remind 2s stand up");
            assertThat(ws.awaitReplyTo(chat + "-1", WAIT).path("text").asText()).contains("I will remind you at");
            // a leader that died between publishing and removing: the same reminder is published again
            Envelope reminder = reminders.due(Instant.now().plusSeconds(60), 1000).stream()
                    .map(reminders::open).filter(r -> r != null && chat.equals(r.chatId())).findFirst().orElseThrow();
            producer.sendBodyAndHeader("direct:publish", reminder, KafkaPublishRoute.TOPIC,
                    "caravan.outbound.websocket");
            Awaitility.await().atMost(WAIT).until(() -> kafka.readUntil("caravan.outbound.websocket",
                    r -> reminder.kafkaKey().equals(r.key()) && EnvelopeCodec.decode(r.value()).id()
                            .equals(reminder.id()), l -> l.size() >= 2, Duration.ofMillis(500)).size() >= 2);
            // a later reply of the same chat comes after both reminder records (one partition, in order)
            ws.sendMessage(chat, chat + "-2", "still there?");
            ws.awaitReplyTo(chat + "-2", WAIT);
            List<JsonNode> fired = ws.frames().stream()
                    .filter(f -> f.path("text").asText().equals("Reminder: stand up")).toList();
            assertThat(fired).hasSize(1);
        }
    }

    @Test
    void aRemindRequestProcessedTwiceSetsOneReminder() {
        String chat = uniqueChat("remind-twice");
        Envelope request = Envelope.builder().id(chat + "-1").traceId("t").channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId("u").text("/remind 1h water the plants")
                .priority(Priority.REALTIME).receivedAt(Instant.now()).build();
        Instant at = Instant.now().plus(Duration.ofHours(1));
        // the pipeline ran the command, then lost its partition (or died) before marking the message done
        Envelope first = reminders.add(request, at, "water the plants");
        Envelope again = reminders.add(request, at, "water the plants");
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(reminders.waiting(request)).isEqualTo(1);
        // another request of the same chat is another reminder
        Envelope other = reminders.add(Envelope.builder().id(chat + "-2").traceId("t").channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId("u").text("/remind 1h feed the cat")
                .priority(Priority.REALTIME).receivedAt(Instant.now()).build(), at, "feed the cat");
        assertThat(other.id()).isNotEqualTo(first.id());
        assertThat(reminders.waiting(request)).isEqualTo(2);
        assertThat(reminders.forget(r -> chat.equals(r.chatId()))).isEqualTo(2);
    }

    @Test
    void aReminderDueWhileCaravanWasDownFiresOnceItRuns() {
        String chat = uniqueChat("remind-late");
        Envelope request = Envelope.builder().id(chat + "-1").traceId("t").channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId("u").text("/remind").priority(Priority.REALTIME)
                .receivedAt(Instant.now()).build();
        // state is in Redis only: a reminder whose time passed while no instance ran is simply overdue
        Envelope reminder = reminders.add(request, Instant.now().minus(Duration.ofMinutes(10)), "missed it");
        List<Envelope> delivered = kafka.readUntil("caravan.outbound.rest", r -> ("rest:" + chat).equals(r.key()),
                        l -> !l.isEmpty(), WAIT).stream().map(r -> EnvelopeCodec.decode(r.value())).toList();
        assertThat(delivered).extracting(Envelope::id).containsExactly(reminder.id());
        assertThat(delivered.get(0).text()).isEqualTo("Reminder: missed it");
        Awaitility.await().atMost(WAIT).until(() -> reminders.due(Instant.now(), 1000).stream()
                .map(reminders::open).noneMatch(r -> r != null && chat.equals(r.chatId())));
    }

    @Test
    void aReminderStoredUnencryptedBeforeEncryptionIsDroppedInsteadOfFired() {
        String chat = uniqueChat("remind-plain");
        String plain = EnvelopeCodec.encodeToString(Envelope.builder().id("reminder:" + chat).channel("rest")
                .chatId(chat).chatType(ChatType.DIRECT).senderId("u").text("Reminder: from the old days")
                .priority(Priority.REALTIME).receivedAt(Instant.now()).build());
        redis.opsForZSet().add("caravan:reminders", plain, Instant.now().minusSeconds(5).toEpochMilli());
        Awaitility.await().atMost(WAIT).until(() -> redis.opsForZSet().score("caravan:reminders", plain) == null
                && redis.opsForZSet().score("caravan:reminders:firing", plain) == null);
        assertThat(kafka.readUntil("caravan.outbound.rest", r -> ("rest:" + chat).equals(r.key()),
                l -> !l.isEmpty(), Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aCronJobInYamlFiresOncePerTriggerAndTheAssistantAnswersIt() throws Exception {
        String chat = uniqueChat("job");
        Path file = routes.path().resolve("test-job.yaml");
        String job = """
                - route:
                    id: job-test-summary
                    autoStartup: %s
                    from:
                      uri: master:caravan-jobs:quartz:caravan-test/summary?cron=0/1+*+*+*+*+?
                      steps:
                        - setBody:
                            constant: summarise the day
                        - setHeader:
                            name: CaravanJobTarget
                            constant: rest:%s
                        - to: direct:schedule-message
                """;
        Files.writeString(file, job.formatted("true", chat), StandardCharsets.UTF_8);
        try {
            List<Envelope> replies = kafka.readUntil("caravan.outbound.rest", r -> ("rest:" + chat).equals(r.key()),
                            l -> l.size() >= 3, WAIT).stream().map(r -> EnvelopeCodec.decode(r.value())).toList();
            assertThat(replies).hasSizeGreaterThanOrEqualTo(3);
            Map<String, Long> perTrigger = replies.stream()
                    .collect(Collectors.groupingBy(Envelope::inReplyTo, Collectors.counting()));
            assertThat(perTrigger.values()).allMatch(count -> count == 1);
            assertThat(perTrigger.keySet()).allMatch(id -> id.startsWith("job:job-test-summary:"));
            assertThat(replies.get(0).text()).isEqualTo("echo: summarise the day");
        } finally {
            Files.writeString(file, job.formatted("false", chat), StandardCharsets.UTF_8);
        }
    }
}
