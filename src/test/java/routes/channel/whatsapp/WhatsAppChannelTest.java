package routes.channel.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.channel.Signatures;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.infra.EmbeddedInfrastructure;
import routes.ops.DeadLetters;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;
import routes.support.fakes.FakeWhatsAppApi;

/**
 * The WhatsApp channel end to end: signed Cloud API webhook calls in (built and signed here, as Meta does), the
 * real pipeline and fake model, replies out to a real fake of the Cloud API.
 */
class WhatsAppChannelTest extends CaravanIntegrationTest {

    static final String ACCESS_TOKEN = "EAAG-test-access-token";
    static final String APP_SECRET = "3c1f0e9a7b2d4c6e8f0a1b2c3d4e5f60";
    static final String VERIFY_TOKEN = "caravan-verify-me";
    static final String PHONE_ID = "106540352242922";
    static final String TEMPLATE = "caravan_reconnect";
    static final FakeWhatsAppApi WHATSAPP = new FakeWhatsAppApi(ACCESS_TOKEN);
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(40);

    private static KafkaTestSupport kafka;

    @DynamicPropertySource
    static void whatsapp(DynamicPropertyRegistry registry) {
        registry.add("caravan.channels.whatsapp.access-token", () -> ACCESS_TOKEN);
        registry.add("caravan.channels.whatsapp.app-secret", () -> APP_SECRET);
        registry.add("caravan.channels.whatsapp.verify-token", () -> VERIFY_TOKEN);
        registry.add("caravan.channels.whatsapp.phone-number-id", () -> PHONE_ID);
        registry.add("caravan.channels.whatsapp.api-url", WHATSAPP::apiUrl);
        registry.add("caravan.channels.whatsapp.template-name", () -> TEMPLATE);
        registry.add("caravan.channels.whatsapp.template-language", () -> "en");
        registry.add("camel.component.kamelet.location", () -> "file:kamelets");
        // the machine running the tests may be busy: a slow echo must not turn into a timeout reply
        registry.add("caravan.models.providers.openai.timeout", () -> "15s");
    }

    @Autowired
    StringRedisTemplate redis;

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
        WHATSAPP.close();
    }

    // ---- subscription check ----

    @Test
    void subscriptionCheckWithTheVerifyTokenIsAnsweredWithTheChallenge() throws Exception {
        HttpResponse<String> response = get(WhatsAppConstants.WEBHOOK_PATH
                + "?hub.mode=subscribe&hub.verify_token=" + VERIFY_TOKEN + "&hub.challenge=1158201444");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("1158201444");
    }

    @Test
    void subscriptionCheckWithAnotherTokenIsForbidden() throws Exception {
        for (String query : List.of("?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
                "?hub.mode=unsubscribe&hub.verify_token=" + VERIFY_TOKEN + "&hub.challenge=1",
                "?hub.challenge=1")) {
            HttpResponse<String> response = get(WhatsAppConstants.WEBHOOK_PATH + query);
            assertThat(response.statusCode()).as(query).isEqualTo(403);
            JsonNode error = error(response);
            assertThat(error.path("type").asText()).isEqualTo("authentication_error");
            assertThat(error.path("code").asText()).isEqualTo("verification_failed");
        }
    }

    // ---- webhook verification ----

    @Test
    void unsignedWhatsAppWebhookIsRejected() throws Exception {
        String person = person();
        HttpResponse<String> response = post(payload(message(person, "unsigned hello")), null);
        assertUnauthorized(response, "missing_signature");
        assertThat(WHATSAPP.callsTo(person)).isEmpty();
    }

    @Test
    void forgedWhatsAppSignatureIsRejected() throws Exception {
        String person = person();
        String body = payload(message(person, "forged hello"));
        assertUnauthorized(post(body, "sha256=" + Signatures.hmacSha256Hex("not-the-secret",
                body.getBytes(StandardCharsets.UTF_8))), "invalid_signature");
        // a genuine signature over other bytes: the body was tampered with on the way
        assertUnauthorized(post(body.replace("forged hello", "forged hellO"), signature(body)), "invalid_signature");
        assertThat(modelCallsFor("forged hello")).isZero();
    }

    @Test
    void malformedPayloadIsABadRequest() throws Exception {
        String body = "{\"object\":\"whatsapp_business_account\",\"entry\":";
        HttpResponse<String> response = post(body, signature(body));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response).path("code").asText()).isEqualTo("invalid_json");
    }

    // ---- messages and replies ----

    @Test
    void signedMessageIsAnsweredWithTextInsideTheWindow() throws Exception {
        String person = person();
        ObjectNode message = message(person, "hola, caravan");
        assertThat(postSigned(payload(message)).statusCode()).isEqualTo(200);
        // acknowledged means accepted: the record is already on Kafka
        assertThat(kafka.readUntil("caravan.inbound", r -> ("whatsapp:" + person).equals(r.key()),
                list -> !list.isEmpty(), Duration.ofSeconds(5))).hasSize(1);
        assertThat(redis.opsForValue().get(ServiceWindow.key(PHONE_ID, person))).isNotNull();

        await().atMost(WAIT).until(() -> !WHATSAPP.deliveredTo(person).isEmpty());
        FakeWhatsAppApi.Call call = WHATSAPP.deliveredTo(person).get(0);
        assertThat(call.phoneNumberId()).isEqualTo(PHONE_ID);
        assertThat(call.authorization()).isEqualTo("Bearer " + ACCESS_TOKEN);
        assertThat(call.body().path("messaging_product").asText()).isEqualTo("whatsapp");
        assertThat(call.type()).isEqualTo("text");
        assertThat(call.text()).isEqualTo("echo: hola, caravan");
    }

    @Test
    void sameMessageIdTwiceGetsOneReply() throws Exception {
        String person = person();
        ObjectNode message = message(person, "only once please");
        String body = payload(message);
        assertThat(postSigned(body).statusCode()).isEqualTo(200);
        assertThat(postSigned(body).statusCode()).isEqualTo(200);
        // Meta may also redeliver the message inside another batch
        assertThat(postSigned(payload(message.deepCopy(), message(person, "and a new one"))).statusCode())
                .isEqualTo(200);

        await().atMost(WAIT).until(() -> WHATSAPP.deliveredTo(person).size() >= 2);
        assertThat(WHATSAPP.deliveredTo(person)).extracting(FakeWhatsAppApi.Call::text)
                .containsExactly("echo: only once please", "echo: and a new one");
        // the model may be asked twice when a partition moves between test instances mid-call (at-least-once
        // processing); what must hold is that the person gets one reply, checked above
    }

    @Test
    void batchOfTwoMessagesIsAnsweredInTimestampOrder() throws Exception {
        String person = person();
        long now = Instant.now().getEpochSecond();
        ObjectNode first = message(person, "first in time", now - 5);
        ObjectNode second = message(person, "second in time", now - 2);
        // the later message comes first in the payload, in another entry
        ObjectNode root = JSON.createObjectNode().put("object", "whatsapp_business_account");
        ArrayNode entries = root.putArray("entry");
        entries.add(entry(person, second));
        entries.add(entry(person, first));
        assertThat(postSigned(root.toString()).statusCode()).isEqualTo(200);

        await().atMost(WAIT).until(() -> WHATSAPP.deliveredTo(person).size() >= 2);
        assertThat(WHATSAPP.deliveredTo(person)).extracting(FakeWhatsAppApi.Call::text)
                .containsExactly("echo: first in time", "echo: second in time");
    }

    @Test
    void replyOutsideTheWindowSendsTheTemplate() {
        String person = person();
        redis.opsForValue().set(ServiceWindow.key(PHONE_ID, person),
                String.valueOf(Instant.now().minus(Duration.ofHours(25)).toEpochMilli()));
        Envelope reply = Envelope.builder().id("wamid.LATE1:reply").inReplyTo("wamid.LATE1").channel("whatsapp")
                .account(PHONE_ID).chatId(person).chatType(ChatType.DIRECT).text("a reply that came too late")
                .build();
        kafka.send("caravan.outbound.whatsapp", reply.kafkaKey(), EnvelopeCodec.encode(reply));

        await().atMost(WAIT).until(() -> !WHATSAPP.deliveredTo(person).isEmpty());
        assertThat(WHATSAPP.callsTo(person)).singleElement().satisfies(call -> {
            assertThat(call.type()).isEqualTo("template");
            assertThat(call.templateName()).isEqualTo(TEMPLATE);
            assertThat(call.templateLanguage()).isEqualTo("en");
            assertThat(call.text()).isNull();
        });
    }

    @Test
    void messageDeliveredAfterTheWindowIsAnsweredWithTheTemplate() throws Exception {
        String person = person();
        long dayAndAHourAgo = Instant.now().minus(Duration.ofHours(25)).getEpochSecond();
        postSigned(payload(message(person, "sent yesterday", dayAndAHourAgo)));

        await().atMost(WAIT).until(() -> !WHATSAPP.deliveredTo(person).isEmpty());
        assertThat(WHATSAPP.callsTo(person)).extracting(FakeWhatsAppApi.Call::type).containsExactly("template");
    }

    @Test
    void textRefusedForTheClosedWindowFallsBackToTheTemplate() throws Exception {
        String person = person();
        WHATSAPP.failNext(person, 400, null, FakeWhatsAppApi.graphError(131047,
                "Re-engagement message"));
        postSigned(payload(message(person, "window confusion")));

        await().atMost(WAIT).until(() -> !WHATSAPP.deliveredTo(person).isEmpty());
        assertThat(WHATSAPP.callsTo(person)).extracting(FakeWhatsAppApi.Call::type)
                .containsExactly("text", "template");
        assertThat(WHATSAPP.deliveredTo(person)).hasSize(1);
    }

    @Test
    void rateLimitedSendIsRetriedAndDeliveredOnce() throws Exception {
        String person = person();
        WHATSAPP.failNext(person, 429, "1", FakeWhatsAppApi.graphError(130429, "Rate limit hit"));
        postSigned(payload(message(person, "too fast")));

        await().atMost(WAIT).until(() -> !WHATSAPP.deliveredTo(person).isEmpty());
        List<FakeWhatsAppApi.Call> calls = WHATSAPP.callsTo(person);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).delivered()).isFalse();
        assertThat(WHATSAPP.deliveredTo(person)).extracting(FakeWhatsAppApi.Call::text)
                .containsExactly("echo: too fast");
    }

    @Test
    void refusedSendGoesToTheDlqWithoutRetry() throws Exception {
        String person = person();
        WHATSAPP.failNext(person, 400, null, FakeWhatsAppApi.graphError(131026, "Message undeliverable"));
        postSigned(payload(message(person, "not on whatsapp")));

        List<ConsumerRecord<String, byte[]>> dead = kafka.readUntil("caravan.dlq",
                r -> ("whatsapp:" + person).equals(r.key()), list -> !list.isEmpty(), WAIT);
        assertThat(dead).hasSize(1);
        assertThat(DeadLetters.entry(dead.get(0)).reason()).contains("131026");
        assertThat(WHATSAPP.callsTo(person)).hasSize(1);
    }

    @Test
    void longReplyIsSplitAt4096Characters() throws Exception {
        String person = person();
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 6000; i++) {
            text.append("Line ").append(i).append(" of a long message.\n");
        }
        String question = text.toString().strip();
        postSigned(payload(message(person, question)));

        await().atMost(WAIT).until(() -> WHATSAPP.deliveredTo(person).size() >= 2);
        List<FakeWhatsAppApi.Call> pieces = WHATSAPP.deliveredTo(person);
        assertThat(pieces).hasSize(2);
        assertThat(pieces).allSatisfy(p -> assertThat(p.text().length()).isLessThanOrEqualTo(4096));
        assertThat(pieces.get(0).text() + "\n" + pieces.get(1).text()).isEqualTo("echo: " + question);
    }

    @Test
    void statusUpdatesAndMediaAreAcknowledgedWithoutReply() throws Exception {
        String person = person();
        ObjectNode root = JSON.createObjectNode().put("object", "whatsapp_business_account");
        ObjectNode value = root.putArray("entry").addObject().put("id", "WABA1").putArray("changes").addObject()
                .put("field", "messages").putObject("value");
        value.put("messaging_product", "whatsapp");
        value.putObject("metadata").put("phone_number_id", PHONE_ID);
        value.putArray("statuses").addObject().put("id", "wamid.OUT1").put("status", "delivered")
                .put("recipient_id", person).put("timestamp", String.valueOf(Instant.now().getEpochSecond()));
        ObjectNode image = value.putArray("messages").addObject();
        image.put("from", person).put("id", "wamid.IMG" + person).put("type", "image")
                .put("timestamp", String.valueOf(Instant.now().getEpochSecond()));
        image.putObject("image").put("id", "media-1").put("mime_type", "image/jpeg");
        assertThat(postSigned(root.toString()).statusCode()).isEqualTo(200);
        // the picture opened the window, even though it gets no answer
        assertThat(redis.opsForValue().get(ServiceWindow.key(PHONE_ID, person))).isNotNull();
        assertThat(kafka.readUntil("caravan.inbound", r -> ("whatsapp:" + person).equals(r.key()),
                list -> !list.isEmpty(), Duration.ofSeconds(2))).isEmpty();
    }

    // ---- kamelets ----

    static final Queue<String> KAMELET_OUT = new ConcurrentLinkedQueue<>();

    void kameletRoutes() throws Exception {
        if (camel.getRoute("whatsapp-kamelet-source-test") != null) {
            return;
        }
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("kamelet:whatsapp-source?path=/webhooks/whatsapp-kamelet-test&appSecret=RAW(" + APP_SECRET
                        + ")&verifyToken=RAW(" + VERIFY_TOKEN + ")")
                        .routeId("whatsapp-kamelet-source-test")
                        .process(exchange -> KAMELET_OUT.add(exchange.getMessage().getBody(String.class)));
                from("direct:whatsapp-kamelet-sink-test").routeId("whatsapp-kamelet-sink-test")
                        .to("kamelet:whatsapp-sink?accessToken=RAW(" + ACCESS_TOKEN + ")&apiUrl=RAW("
                                + WHATSAPP.apiUrl() + ")&templateName=" + TEMPLATE);
            }
        });
    }

    @Test
    void whatsappSourceKameletVerifiesAndEmitsMessagesInOrder() throws Exception {
        kameletRoutes();
        assertThat(get("/webhooks/whatsapp-kamelet-test?hub.mode=subscribe&hub.verify_token="
                + URLEncoder.encode(VERIFY_TOKEN, StandardCharsets.UTF_8) + "&hub.challenge=42").body())
                .isEqualTo("42");
        String person = person();
        long now = Instant.now().getEpochSecond();
        String body = payload(message(person, "kamelet two", now - 1), message(person, "kamelet one", now - 9));
        HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(uri("/webhooks/whatsapp-kamelet-test"))
                .header("Content-Type", "application/json").header("X-Hub-Signature-256", "sha256=00")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertUnauthorized(forged, "invalid_signature");
        HttpResponse<String> signed = HTTP.send(HttpRequest.newBuilder(uri("/webhooks/whatsapp-kamelet-test"))
                .header("Content-Type", "application/json").header("X-Hub-Signature-256", signature(body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(KAMELET_OUT.stream().map(json -> EnvelopeCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .filter(e -> person.equals(e.chatId())).map(Envelope::text).toList())
                .containsExactly("kamelet one", "kamelet two");
    }

    @Test
    void whatsappSinkKameletSendsTextAndFallsBackToTheTemplate() throws Exception {
        kameletRoutes();
        String person = person();
        Envelope reply = Envelope.builder().id("k1:reply").inReplyTo("k1").channel("whatsapp").account(PHONE_ID)
                .chatId(person).chatType(ChatType.DIRECT).text("from the sink").build();
        var producer = camel.createProducerTemplate();
        producer.sendBody("direct:whatsapp-kamelet-sink-test", EnvelopeCodec.encode(reply));
        WHATSAPP.failNext(person, 400, null, FakeWhatsAppApi.graphError(131047, "Re-engagement message"));
        producer.sendBody("direct:whatsapp-kamelet-sink-test", EnvelopeCodec.encode(reply));
        assertThat(WHATSAPP.deliveredTo(person)).extracting(FakeWhatsAppApi.Call::type)
                .containsExactly("text", "template");
        assertThat(WHATSAPP.deliveredTo(person).get(0).text()).isEqualTo("from the sink");
    }

    // ---- helpers ----

    static String person() {
        return "1555" + (10_000_000 + ThreadLocalRandom.current().nextInt(90_000_000));
    }

    static ObjectNode message(String from, String text) {
        return message(from, text, Instant.now().getEpochSecond());
    }

    static ObjectNode message(String from, String text, long timestamp) {
        ObjectNode message = JSON.createObjectNode();
        message.put("from", from);
        message.put("id", "wamid.HBgL" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 60), 36)
                .toUpperCase());
        message.put("timestamp", String.valueOf(timestamp));
        message.putObject("text").put("body", text);
        message.put("type", "text");
        return message;
    }

    static ObjectNode entry(String person, ObjectNode... messages) {
        ObjectNode entry = JSON.createObjectNode().put("id", "WABA1");
        ObjectNode change = entry.putArray("changes").addObject();
        change.put("field", "messages");
        ObjectNode value = change.putObject("value");
        value.put("messaging_product", "whatsapp");
        value.putObject("metadata").put("display_phone_number", "15550001111").put("phone_number_id", PHONE_ID);
        value.putArray("contacts").addObject().put("wa_id", person).putObject("profile").put("name", "Ana");
        ArrayNode list = value.putArray("messages");
        for (ObjectNode m : messages) {
            list.add(m);
        }
        return entry;
    }

    static String payload(ObjectNode... messages) {
        ObjectNode root = JSON.createObjectNode().put("object", "whatsapp_business_account");
        root.putArray("entry").add(entry(messages[0].path("from").asText(), messages));
        return root.toString();
    }

    static String signature(String body) {
        return "sha256=" + Signatures.hmacSha256Hex(APP_SECRET, body.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> postSigned(String body) throws Exception {
        return post(body, signature(body));
    }

    HttpResponse<String> post(String body, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(WhatsAppConstants.WEBHOOK_PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30));
        if (signature != null) {
            request.header("X-Hub-Signature-256", signature);
        }
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
