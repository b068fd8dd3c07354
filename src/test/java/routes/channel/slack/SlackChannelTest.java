package routes.channel.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.channel.Signatures;
import routes.infra.EmbeddedInfrastructure;
import routes.ops.DeadLetters;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;
import routes.support.fakes.FakeSlackApi;

/**
 * The Slack channel end to end: signed Events API calls in (built and signed here, as Slack does), the real
 * pipeline and fake model, replies out to a real fake of Slack's Web API.
 */
class SlackChannelTest extends CaravanIntegrationTest {

    static final String TOKEN = "xoxb-test-bot-token";
    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String BOT = "UCARAVAN1";
    static final String TEAM = "TTEAM0001";
    static final FakeSlackApi SLACK = new FakeSlackApi(TOKEN);
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(40);

    private static KafkaTestSupport kafka;

    @DynamicPropertySource
    static void slack(DynamicPropertyRegistry registry) {
        registry.add("caravan.channels.slack.bot-token", () -> TOKEN);
        registry.add("caravan.channels.slack.signing-secret", () -> SECRET);
        registry.add("caravan.channels.slack.api-url", SLACK::apiUrl);
        registry.add("camel.component.kamelet.location", () -> "file:kamelets");
        // these tests look at the final replies; SlackStreamEditsTest looks at drafts
        registry.add("caravan.channels.slack.stream-edits", () -> "false");
        // the machine running the tests may be busy: a slow echo must not turn into a timeout reply
        registry.add("caravan.models.providers.openai.timeout", () -> "15s");
    }

    @Autowired
    CamelContext camel;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestSupport(EmbeddedInfrastructure.ensureStarted(TestInfra.STORAGE, 0, 0, 4)
                .kafkaBootstrapServers());
    }

    @AfterAll
    static void close() {
        kafka.close();
        SLACK.close();
    }

    // ---- webhook verification ----

    @Test
    void urlVerificationIsAnsweredWithTheChallenge() throws Exception {
        String body = "{\"token\":\"legacy\",\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\","
                + "\"type\":\"url_verification\"}";
        HttpResponse<String> response = postSigned(body);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("challenge").asText())
                .isEqualTo("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    }

    @Test
    void unsignedSlackWebhookIsRejected() throws Exception {
        String channel = channelId("C");
        HttpResponse<String> response = post(eventCallback(channel, messageEvent(channel, "im", "unsigned hello")),
                Map.of());
        assertUnauthorized(response, "missing_signature");
        assertThat(SLACK.callsTo(channel)).isEmpty();
    }

    @Test
    void forgedSlackSignatureIsRejected() throws Exception {
        String channel = channelId("D");
        String body = eventCallback(channel, messageEvent(channel, "im", "forged hello"));
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> wrongSecret = post(body, Map.of(
                "X-Slack-Request-Timestamp", String.valueOf(now),
                "X-Slack-Signature", signature("not-the-secret", now, body)));
        assertUnauthorized(wrongSecret, "invalid_signature");

        // a genuine signature over other bytes: the body was tampered with on the way
        String genuine = signature(SECRET, now, body);
        HttpResponse<String> tampered = post(body.replace("forged hello", "forged hellO"), Map.of(
                "X-Slack-Request-Timestamp", String.valueOf(now), "X-Slack-Signature", genuine));
        assertUnauthorized(tampered, "invalid_signature");
        assertThat(modelCallsFor("forged hello")).isZero();
    }

    @Test
    void expiredSlackTimestampIsRejected() throws Exception {
        String channel = channelId("D");
        String body = eventCallback(channel, messageEvent(channel, "im", "old hello"));
        long sixMinutesAgo = Instant.now().minus(Duration.ofMinutes(6)).getEpochSecond();
        HttpResponse<String> response = post(body, Map.of(
                "X-Slack-Request-Timestamp", String.valueOf(sixMinutesAgo),
                "X-Slack-Signature", signature(SECRET, sixMinutesAgo, body)));
        assertUnauthorized(response, "stale_timestamp");
    }

    @Test
    void malformedPayloadIsRejectedWithoutRetry() throws Exception {
        HttpResponse<String> response = postSigned("{\"type\":\"event_callback\",");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("X-Slack-No-Retry")).hasValue("1");
        assertThat(error(response).path("code").asText()).isEqualTo("invalid_json");
    }

    @Test
    void formEncodedPostIsRejected() throws Exception {
        String body = "payload=%7B%22type%22%3A%22block_actions%22%7D";
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(SlackConstants.EVENTS_PATH))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", String.valueOf(now))
                .header("X-Slack-Signature", signature(SECRET, now, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(error(response).path("code").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void nonAsciiEventIsVerifiedOverTheRawBytesAndIsOnKafkaWhenAcknowledged() throws Exception {
        String channel = channelId("D");
        String body = eventCallback(channel, messageEvent(channel, "im", "gr\u00fc\u00df dich \ud83d\udc4b \u4f60\u597d"));
        assertThat(postSigned(body).statusCode()).isEqualTo(200);
        // acknowledged means accepted: the record is already on Kafka
        List<ConsumerRecord<String, byte[]>> accepted = kafka.readUntil("caravan.inbound",
                r -> ("slack:" + channel).equals(r.key()), list -> !list.isEmpty(), Duration.ofSeconds(5));
        assertThat(accepted).hasSize(1);

        await().atMost(WAIT).until(() -> !SLACK.deliveredTo(channel).isEmpty());
        assertThat(SLACK.deliveredTo(channel).get(0).text())
                .isEqualTo("echo: gr\u00fc\u00df dich \ud83d\udc4b \u4f60\u597d");
    }

    // ---- messages and replies ----

    @Test
    void directMessageIsAnsweredInItsThread() throws Exception {
        String channel = channelId("D");
        ObjectNode event = messageEvent(channel, "im", "hello from a DM");
        assertThat(postSigned(eventCallback(channel, event)).statusCode()).isEqualTo(200);

        await().atMost(WAIT).until(() -> !SLACK.deliveredTo(channel).isEmpty());
        FakeSlackApi.Call call = SLACK.deliveredTo(channel).get(0);
        assertThat(call.text()).isEqualTo("echo: hello from a DM");
        assertThat(call.threadTs()).isEqualTo(event.path("ts").asText());
        assertThat(call.authorization()).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void replayedSlackEventGetsOneReply() throws Exception {
        String channel = channelId("D");
        String body = eventCallback(channel, messageEvent(channel, "im", "answer this once"));
        assertThat(postSigned(body).statusCode()).isEqualTo(200);
        assertThat(postSigned(body).statusCode()).isEqualTo(200);
        assertThat(postSigned(body, Map.of("X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"))
                .statusCode()).isEqualTo(200);
        // a later message of the same conversation: once it is answered, any duplicate would have been too
        assertThat(postSigned(eventCallback(channel, messageEvent(channel, "im", "and then this"))).statusCode())
                .isEqualTo(200);

        await().atMost(WAIT).until(() -> SLACK.deliveredTo(channel).size() >= 2);
        assertThat(SLACK.deliveredTo(channel)).extracting(FakeSlackApi.Call::text)
                .containsExactly("echo: answer this once", "echo: and then this");
        assertThat(modelCallsFor("answer this once"))
                .as("a rebalance between test instances may repeat a model call; never the reply")
                .isBetween(1L, 2L);
    }

    @Test
    void mentionDeliveredAsMessageAndAppMentionGetsOneReply() throws Exception {
        String channel = channelId("C");
        ObjectNode message = messageEvent(channel, "channel", "<@" + BOT + "> which is it?");
        ObjectNode mention = message.deepCopy();
        mention.put("type", "app_mention");
        mention.remove("channel_type");
        assertThat(postSigned(eventCallback(channel, message)).statusCode()).isEqualTo(200);
        assertThat(postSigned(eventCallback(channel, mention)).statusCode()).isEqualTo(200);
        assertThat(postSigned(eventCallback(channel, messageEvent(channel, "channel", "<@" + BOT + "> next")))
                .statusCode()).isEqualTo(200);

        await().atMost(WAIT).until(() -> SLACK.deliveredTo(channel).size() >= 2);
        assertThat(SLACK.deliveredTo(channel)).extracting(FakeSlackApi.Call::text)
                .containsExactly("echo: which is it?", "echo: next");
    }

    @Test
    void groupMessagesAreAnsweredOnlyWhenTheBotIsMentioned() throws Exception {
        String channel = channelId("C");
        ObjectNode plain = messageEvent(channel, "channel", "just chatting among people");
        ObjectNode inThread = messageEvent(channel, "channel", "<@" + BOT + "> what do you think?");
        inThread.put("thread_ts", "1700000000.000001");
        assertThat(postSigned(eventCallback(channel, plain)).statusCode()).isEqualTo(200);
        assertThat(postSigned(eventCallback(channel, inThread)).statusCode()).isEqualTo(200);

        await().atMost(WAIT).until(() -> !SLACK.deliveredTo(channel).isEmpty());
        List<FakeSlackApi.Call> delivered = SLACK.deliveredTo(channel);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).text()).isEqualTo("echo: what do you think?");
        assertThat(delivered.get(0).threadTs()).isEqualTo("1700000000.000001");
        assertThat(modelCallsFor("just chatting among people")).isZero();
    }

    @Test
    void botMessagesAreNeverAnswered() throws Exception {
        String channel = channelId("D");
        ObjectNode fromBot = messageEvent(channel, "im", "I am a bot");
        fromBot.put("bot_id", "B0001");
        ObjectNode botSubtype = messageEvent(channel, "im", "I am a bot too");
        botSubtype.put("subtype", "bot_message");
        botSubtype.remove("user");
        ObjectNode itself = messageEvent(channel, "im", "I am Caravan");
        itself.put("user", BOT);
        for (ObjectNode event : List.of(fromBot, botSubtype, itself)) {
            assertThat(postSigned(eventCallback(channel, event)).statusCode()).isEqualTo(200);
        }
        assertThat(postSigned(eventCallback(channel, messageEvent(channel, "im", "a person"))).statusCode())
                .isEqualTo(200);

        await().atMost(WAIT).until(() -> !SLACK.deliveredTo(channel).isEmpty());
        assertThat(SLACK.callsTo(channel)).extracting(FakeSlackApi.Call::text).containsExactly("echo: a person");
    }

    @Test
    void rateLimitedPostIsRetriedAfterRetryAfterAndDeliveredOnce() throws Exception {
        String channel = channelId("D");
        SLACK.failNext(channel, 429, "1", "{\"ok\":false,\"error\":\"ratelimited\"}");
        assertThat(postSigned(eventCallback(channel, messageEvent(channel, "im", "slow down please"))).statusCode())
                .isEqualTo(200);

        await().atMost(WAIT).until(() -> !SLACK.deliveredTo(channel).isEmpty());
        List<FakeSlackApi.Call> calls = SLACK.callsTo(channel);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).delivered()).isFalse();
        assertThat(SLACK.deliveredTo(channel)).extracting(FakeSlackApi.Call::text)
                .containsExactly("echo: slow down please");
    }

    @Test
    void okFalseRatelimitedIsRetriedToo() throws Exception {
        String channel = channelId("D");
        SLACK.failNext(channel, 200, null, "{\"ok\":false,\"error\":\"ratelimited\"}");
        postSigned(eventCallback(channel, messageEvent(channel, "im", "again later")));

        await().atMost(WAIT).until(() -> !SLACK.deliveredTo(channel).isEmpty());
        assertThat(SLACK.callsTo(channel)).hasSize(2);
        assertThat(SLACK.deliveredTo(channel)).hasSize(1);
    }

    @Test
    void replyRefusedBySlackGoesToTheDlqWithoutRetry() throws Exception {
        String channel = channelId("C");
        SLACK.failNext(channel, 200, null, "{\"ok\":false,\"error\":\"channel_not_found\"}");
        ObjectNode event = messageEvent(channel, "channel", "<@" + BOT + "> are you there?");
        postSigned(eventCallback(channel, event));

        List<ConsumerRecord<String, byte[]>> dead = kafka.readUntil("caravan.dlq",
                r -> ("slack:" + channel).equals(r.key()), list -> !list.isEmpty(), WAIT);
        assertThat(dead).hasSize(1);
        assertThat(DeadLetters.entry(dead.get(0)).reason()).contains("channel_not_found");
        assertThat(SLACK.callsTo(channel)).hasSize(1);
    }

    @Test
    void longReplyIsSplitIntoSeveralMessagesInTheThread() throws Exception {
        String channel = channelId("D");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 9000; i++) {
            text.append("Sentence number ").append(i).append(" of a long question. ");
        }
        String question = text.toString().strip();
        ObjectNode event = messageEvent(channel, "im", question);
        postSigned(eventCallback(channel, event));

        await().atMost(WAIT).until(() -> SLACK.deliveredTo(channel).size() >= 3);
        List<FakeSlackApi.Call> pieces = SLACK.deliveredTo(channel);
        assertThat(pieces).hasSize(3);
        assertThat(pieces).allSatisfy(p -> {
            assertThat(p.text().length()).isLessThanOrEqualTo(4000);
            assertThat(p.threadTs()).isEqualTo(event.path("ts").asText());
        });
        assertThat(String.join(" ", pieces.stream().map(FakeSlackApi.Call::text).toList()))
                .isEqualTo("echo: " + question);
    }

    @Test
    void replyCannotNotifyAWholeChannel() throws Exception {
        String channel = channelId("D");
        postSigned(eventCallback(channel, messageEvent(channel, "im", "say <!channel> & <@U999>")));

        await().atMost(WAIT).until(() -> !SLACK.deliveredTo(channel).isEmpty());
        assertThat(SLACK.deliveredTo(channel).get(0).text())
                .isEqualTo("echo: say &lt;!channel&gt; &amp; &lt;@U999&gt;");
    }

    // ---- kamelets ----

    static final Queue<String> KAMELET_OUT = new ConcurrentLinkedQueue<>();

    void kameletRoutes() throws Exception {
        if (camel.getRoute("slack-kamelet-source-test") != null) {
            return;
        }
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("kamelet:slack-source?path=/webhooks/slack/kamelet-test&signingSecret=RAW(" + SECRET + ")")
                        .routeId("slack-kamelet-source-test")
                        .process(exchange -> KAMELET_OUT.add(exchange.getMessage().getBody(String.class)));
                from("direct:slack-kamelet-sink-test").routeId("slack-kamelet-sink-test")
                        .to("kamelet:slack-sink?botToken=RAW(" + TOKEN + ")&apiUrl=RAW(" + SLACK.apiUrl() + ")");
            }
        });
    }

    @Test
    void slackSourceKameletVerifiesAndMapsEvents() throws Exception {
        kameletRoutes();
        String channel = channelId("D");
        String body = eventCallback(channel, messageEvent(channel, "im", "through the kamelet"));
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(uri("/webhooks/slack/kamelet-test"))
                .header("Content-Type", "application/json")
                .header("X-Slack-Request-Timestamp", String.valueOf(now))
                .header("X-Slack-Signature", signature("wrong", now, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertUnauthorized(forged, "invalid_signature");

        HttpResponse<String> signed = HTTP.send(HttpRequest.newBuilder(uri("/webhooks/slack/kamelet-test"))
                .header("Content-Type", "application/json")
                .header("X-Slack-Request-Timestamp", String.valueOf(now))
                .header("X-Slack-Signature", signature(SECRET, now, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.body()).isEmpty();
        Envelope envelope = KAMELET_OUT.stream().map(json -> EnvelopeCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .filter(e -> channel.equals(e.chatId())).findFirst().orElseThrow();
        assertThat(envelope.channel()).isEqualTo("slack");
        assertThat(envelope.text()).isEqualTo("through the kamelet");
        assertThat(envelope.chatType()).isEqualTo(ChatType.DIRECT);
    }

    @Test
    void slackSinkKameletPostsAReplyInItsThread() throws Exception {
        kameletRoutes();
        String channel = channelId("C");
        Envelope reply = Envelope.builder().id("k1:reply").inReplyTo("k1").channel("slack").chatId(channel)
                .chatType(ChatType.GROUP).replyTo("1700000000.000777").text("from the <sink>").build();
        camel.createProducerTemplate().sendBody("direct:slack-kamelet-sink-test", EnvelopeCodec.encode(reply));
        assertThat(SLACK.deliveredTo(channel)).singleElement().satisfies(call -> {
            assertThat(call.text()).isEqualTo("from the &lt;sink&gt;");
            assertThat(call.threadTs()).isEqualTo("1700000000.000777");
        });
    }

    // ---- helpers ----

    static String channelId(String prefix) {
        return prefix + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), 36).toUpperCase();
    }

    static ObjectNode messageEvent(String channel, String channelType, String text) {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", "message");
        event.put("channel", channel);
        event.put("user", "UPERSON01");
        event.put("text", text);
        event.put("ts", Instant.now().getEpochSecond() + "."
                + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000)));
        event.put("event_ts", event.path("ts").asText());
        if (channelType != null) {
            event.put("channel_type", channelType);
        }
        return event;
    }

    static String eventCallback(String channel, ObjectNode event) {
        ObjectNode root = JSON.createObjectNode();
        root.put("token", "legacy-verification-token");
        root.put("team_id", TEAM);
        root.put("api_app_id", "A0001");
        root.set("event", event);
        root.put("type", "event_callback");
        root.put("event_id", "Ev" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), 36)
                .toUpperCase());
        root.put("event_time", Instant.now().getEpochSecond());
        ObjectNode authorization = root.putArray("authorizations").addObject();
        authorization.put("team_id", TEAM);
        authorization.put("user_id", BOT);
        authorization.put("is_bot", true);
        return root.toString();
    }

    static String signature(String secret, long timestamp, String body) {
        return "v0=" + Signatures.hmacSha256Hex(secret,
                ("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> postSigned(String body) throws Exception {
        return postSigned(body, Map.of());
    }

    HttpResponse<String> postSigned(String body, Map<String, String> extra) throws Exception {
        long now = Instant.now().getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("X-Slack-Request-Timestamp", String.valueOf(now));
        headers.put("X-Slack-Signature", signature(SECRET, now, body));
        return post(body, headers);
    }

    HttpResponse<String> post(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(SlackConstants.EVENTS_PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode error(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(response.body()).path("error");
    }

    static void assertUnauthorized(HttpResponse<String> response, String code) throws Exception {
        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode error = error(response);
        assertThat(error.path("type").asText()).isEqualTo("authentication_error");
        assertThat(error.path("code").asText()).isEqualTo(code);
    }
}
