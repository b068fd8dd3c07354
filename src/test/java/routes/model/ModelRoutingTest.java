package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.infra.RoutesDirectory;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/** Choosing the model profile: the shipped YAML rules, pinned and switched profiles, rules edited while running. */
class ModelRoutingTest extends CaravanIntegrationTest {

    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    private RoutesDirectory routesDirectory;

    @Autowired
    private ProfileOverrides overrides;

    private static Envelope message(String chat, String id, String text, String profile) {
        Envelope.Builder b = Envelope.builder().id(id).traceId("trace-" + id).channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId("tester").text(text).priority(Priority.REALTIME)
                .receivedAt(Instant.now());
        if (profile != null) {
            b.meta("profile", profile);
        }
        return b.build();
    }

    /** Sends one message and returns the profile its reply says answered it. */
    private static String profileFor(String chat, String text, String pinned) {
        String id = chat + "-" + Math.abs(text.hashCode());
        Envelope m = message(chat, id, text, pinned);
        kafka.send("caravan.inbound", m.kafkaKey(), EnvelopeCodec.encode(m));
        List<Envelope> replies = kafka.readUntil("caravan.outbound.rest",
                        r -> ("rest:" + chat).equals(r.key()),
                        list -> list.stream().anyMatch(r -> id.equals(EnvelopeCodec.decode(r.value()).inReplyTo())),
                        Duration.ofSeconds(30))
                .stream().map(r -> EnvelopeCodec.decode(r.value())).filter(e -> id.equals(e.inReplyTo())).toList();
        return replies.get(0).meta("profile");
    }

    @Test
    void shippedRulesSendCodingQuestionsToTheCodingProfile() {
        String chat = uniqueChat("route-coding");
        assertThat(profileFor(chat, "Why does my Java method throw a null pointer exception?", null))
                .isEqualTo("coding");
        assertThat(MODEL.requests()).anySatisfy(r -> assertThat(r.path("messages").get(0).path("content").asText())
                .contains("expert programmer"));
        assertThat(profileFor(chat, "/code make it shorter", null)).isEqualTo("coding");
        assertThat(profileFor(chat, "What should I cook tonight?", null)).isEqualTo("general");
    }

    @Test
    void aProfileNamedByTheMessageOrSwitchedByHandWinsOverTheRules() {
        String chat = uniqueChat("route-pinned");
        assertThat(profileFor(chat, "a bug in my python function", "coder")).isEqualTo("coder");

        overrides.setForChat("rest", chat, "coder");
        try {
            assertThat(profileFor(chat, "what a lovely day", null)).isEqualTo("coder");
        } finally {
            overrides.setForChat("rest", chat, null);
        }
        assertThat(profileFor(chat, "what a lovely evening", null)).isEqualTo("general");
    }

    @Test
    void theAdminApiSwitchesEveryoneOrOneConversationWithoutRestart() throws Exception {
        String chat = uniqueChat("route-admin");
        try {
            java.net.http.HttpResponse<String> r = put("{\"profile\":\"coder\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"global\":\"coder\"");
            assertThat(profileFor(chat, "a quiet evening", null)).isEqualTo("coder");

            assertThat(put("{\"profile\":\"general\",\"channel\":\"rest\",\"chatId\":\"" + chat + "\"}")
                    .body()).contains("\"chat\":\"general\"");
            assertThat(profileFor(chat, "a quiet night", null)).isEqualTo("general");
            // the switch is audited: which profile, for which conversation, by which caller
            var audited = kafka.readUntil("caravan.audit", rec -> new String(rec.value(), StandardCharsets.UTF_8)
                    .contains("\"chat\":\"rest:" + chat + "\""), l -> !l.isEmpty(), Duration.ofSeconds(30));
            assertThat(audited).isNotEmpty();
            assertThat(new String(audited.get(0).value(), StandardCharsets.UTF_8)).contains(
                    "\"event_type\":\"model.switched\"", "\"profile\":\"general\"", "\"scope\":\"chat\"",
                    "\"by\":\"admin:local\"");

            assertThat(put("{\"profile\":\"nosuch\"}").statusCode()).isEqualTo(404);
            assertThat(put("{\"profile\":\"coder\",\"channel\":\"rest\"}").statusCode()).isEqualTo(400);
            assertThat(put("{}").statusCode()).isEqualTo(400);
        } finally {
            delete("?channel=rest&chatId=" + chat);
            delete("");
        }
        assertThat(get("/api/v1/admin/profile").body()).contains("\"global\":null", "\"default\":\"general\"");
        assertThat(profileFor(chat, "a quiet morning", null)).isEqualTo("general");
    }

    private java.net.http.HttpResponse<String> put(String json) throws Exception {
        return HTTP.send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/admin/profile"))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private void delete(String query) throws Exception {
        HTTP.send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/admin/profile" + query)).DELETE().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRuleEditedInTheRoutesDirectoryTakesEffectWithoutRestart() throws Exception {
        Path rules = routesDirectory.path().resolve("model-routing.yaml");
        String shipped = Files.readString(rules, StandardCharsets.UTF_8);
        assertThat(shipped).contains("id: model-routing");
        String chat = uniqueChat("route-reload");
        assertThat(profileFor(chat, "tell me about pirates", null)).isEqualTo("general");
        try {
            Files.writeString(rules, shipped.replace(
                    "- simple: \"${header.CaravanCommand} == '/code' || ${header.CaravanIntent} == 'coding'\"",
                    "- simple: \"${body} contains 'pirate'\"\n                steps:\n"
                            + "                  - setHeader:\n                      name: CaravanProfile\n"
                            + "                      constant: coder\n"
                            + "              - simple: \"${header.CaravanIntent} == 'coding'\""),
                    StandardCharsets.UTF_8);
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(profileFor(chat, "pirates again " + System.nanoTime(), null)).isEqualTo("coder"));
        } finally {
            Files.writeString(rules, shipped, StandardCharsets.UTF_8);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(profileFor(chat, "pirates once more " + System.nanoTime(), null)).isEqualTo("general"));
    }
}
