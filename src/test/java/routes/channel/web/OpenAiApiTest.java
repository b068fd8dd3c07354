package routes.channel.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Ids;
import routes.infra.InstanceIdentity;
import routes.security.Pseudonyms;
import routes.support.CaravanIntegrationTest;
import routes.support.FakeOpenAiServer;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

class OpenAiApiTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    private ConnectionRegistry registry;

    @Autowired
    private InstanceIdentity identity;

    @Autowired
    private StringRedisTemplate redis;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private org.apache.camel.CamelContext camel;


    private OpenAIClient sdk() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl() + "/v1")
                .apiKey("unused")
                .timeout(Duration.ofSeconds(30))
                .maxRetries(0)
                .build();
    }

    @Test
    void officialSdkGetsAWholeCompletion() {
        ChatCompletion completion = sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("general")
                .addSystemMessage("be terse")
                .addUserMessage("hello from the sdk")
                .build());
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).hasValue("echo: hello from the sdk");
        // stateless: the request's own messages are the context
        JsonNode sent = MODEL.requests().get(MODEL.requests().size() - 1);
        assertThat(sent.path("messages").findValuesAsText("content")).contains("be terse", "hello from the sdk");
    }

    @Test
    void officialSdkStreams() {
        List<String> deltas = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = sdk().chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("general").addUserMessage("stream me please").build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(
                    c -> c.delta().content().ifPresent(deltas::add)));
        }
        assertThat(String.join("", deltas)).isEqualTo("echo: stream me please");
        assertThat(deltas.stream().filter(d -> !d.isEmpty()).count()).isGreaterThan(1);
    }

    @Test
    void officialSdkListsModelsAndSeesUnknownModelError() {
        assertThat(sdk().models().list().data()).extracting(m -> m.id()).contains("general", "coding", "coder");
        assertThatThrownBy(() -> sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("hi").build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void rawSseEndsWithDone() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"general\",\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"raw sse\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertSecurityHeaders(response);
        List<String> data = response.body().lines().filter(l -> l.startsWith("data: "))
                .map(l -> l.substring(6)).toList();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        String text = data.stream().filter(d -> !d.equals("[DONE]")).map(d -> {
            try {
                return JSON.readTree(d).path("choices").path(0).path("delta").path("content").asText("");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.joining());
        assertThat(text).isEqualTo("echo: raw sse");
        assertThat(data).anyMatch(d -> d.contains("\"finish_reason\":\"stop\""));
        assertThat(data).anyMatch(d -> d.contains("\"usage\""));
    }

    @Test
    void clientsThatStopReadingHoldUpNoOtherRequest() throws Exception {
        // a long answer in many fragments: far more than a connection's buffers hold
        String story = ("w".repeat(399) + " ").repeat(300);
        MODEL.replyWith(body -> FakeOpenAiServer.echoReply(body).startsWith("echo: tell me a long story")
                ? story : FakeOpenAiServer.echoReply(body));
        double merged = meters.counter("caravan.http.stream.fragments.merged").count();
        // sockets with a tiny receive buffer that are not read until the end: more of them than model I/O threads
        List<okhttp3.Response> open = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                open.add(stalledRequest("{\"model\":\"general\",\"stream\":true,\"user\":\""
                        + uniqueChat("oa-stalled") + "\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"tell me a long story " + i + "\"}]}"));
            }
            // every one of those answers was read from the model and published, however little their clients read
            assertThat(TestInfra.kafka().readUntil("caravan.outbound.openai",
                    r -> story.equals(EnvelopeCodec.decode(r.value()).text()), found -> found.size() >= 12,
                    Duration.ofSeconds(30))).hasSize(12);

            // meanwhile other requests are answered, streamed and whole
            HttpResponse<String> streamed = postJson("/v1/chat/completions", "{\"model\":\"general\","
                    + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"still there?\"}]}");
            assertThat(streamedText(streamed.body())).isEqualTo("echo: still there?");
            JsonNode whole = completion("{\"model\":\"general\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"and whole?\"}]}");
            assertThat(whole.path("choices").path(0).path("message").path("content").asText())
                    .isEqualTo("echo: and whole?");

            // the stalled clients, reading at last, get their whole answer: fragments that waited were merged
            assertThat(meters.counter("caravan.http.stream.fragments.merged").count()).isGreaterThan(merged);
            for (okhttp3.Response response : open) {
                String body = response.body().string();
                assertThat(body).endsWith("data: [DONE]\n\n");
                assertThat(streamedText(body)).isEqualTo(story);
                assertThat(body.lines().filter(l -> l.startsWith("data: ")).count()).isLessThan(300);
            }
        } finally {
            open.forEach(okhttp3.Response::close);
        }
    }

    @Test
    void clientsThatStopReadingWholeAnswersHoldUpNoOtherRequest() throws Exception {
        String story = ("v".repeat(399) + " ").repeat(300);
        MODEL.replyWith(body -> FakeOpenAiServer.echoReply(body).startsWith("echo: tell me all at once")
                ? story : FakeOpenAiServer.echoReply(body));
        // more clients than the HTTP server has worker threads (Spring Boot's default: 8 per I/O thread)
        int clients = Math.max(Runtime.getRuntime().availableProcessors(), 2) * 8 + 4;
        List<okhttp3.Response> open = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                open.add(stalledRequest("{\"model\":\"general\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"tell me all at once " + i + "\"}]}"));
            }

            // meanwhile another request is answered
            JsonNode other = completion("{\"model\":\"general\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"anyone else?\"}]}");
            assertThat(other.path("choices").path(0).path("message").path("content").asText())
                    .isEqualTo("echo: anyone else?");

            // the stalled clients, reading at last, get their whole answer
            for (okhttp3.Response response : open) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(JSON.readTree(response.body().string()).path("choices").path(0).path("message")
                        .path("content").asText()).isEqualTo(story);
            }
        } finally {
            open.forEach(okhttp3.Response::close);
        }
    }

    /** A client on a socket with a tiny receive buffer that reads nothing past the headers until told to. */
    private static final OkHttpClient STALLED = new OkHttpClient.Builder()
            .socketFactory(new TinyReceiveBuffers())
            .readTimeout(Duration.ofSeconds(30))
            .build();

    /** Posts a completion request from {@link #STALLED}; returns once the answer's headers are in. */
    private okhttp3.Response stalledRequest(String json) throws java.io.IOException {
        return STALLED.newCall(new okhttp3.Request.Builder().url(baseUrl() + "/v1/chat/completions")
                .post(okhttp3.RequestBody.create(json, okhttp3.MediaType.get("application/json")))
                .build()).execute();
    }

    /** The text of a streamed completion: its content fragments joined. */
    private static String streamedText(String sse) {
        return sse.lines().filter(l -> l.startsWith("data: ") && !l.equals("data: [DONE]")).map(l -> {
            try {
                return JSON.readTree(l.substring(6)).path("choices").path(0).path("delta").path("content")
                        .asText("");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.joining());
    }

    /** Sockets that take at most a kilobyte or so before their reader reads. */
    private static final class TinyReceiveBuffers extends javax.net.SocketFactory {

        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            java.net.Socket socket = new java.net.Socket();
            socket.setReceiveBufferSize(1024);
            return socket;
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            throw new UnsupportedOperationException("connected by the client");
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) {
            throw new UnsupportedOperationException("connected by the client");
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) {
            throw new UnsupportedOperationException("connected by the client");
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress local,
                int localPort) {
            throw new UnsupportedOperationException("connected by the client");
        }
    }

    @Test
    void conversationByUserFieldKeepsHistory() throws Exception {
        String user = uniqueChat("oa-user");
        completion("{\"model\":\"general\",\"user\":\"" + user + "\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"I like green tea\"}]}");
        JsonNode second = completion("{\"model\":\"general\",\"user\":\"" + user + "\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"what do I like?\"}]}");
        assertThat(second.path("choices").path(0).path("message").path("content").asText())
                .isEqualTo("echo: what do I like?");
        JsonNode sent = MODEL.requests().get(MODEL.requests().size() - 1);
        assertThat(sent.path("messages").findValuesAsText("content"))
                .containsSubsequence("I like green tea", "echo: I like green tea", "what do I like?");
    }

    @Test
    void conversationByHeaderKeepsHistory() throws Exception {
        String chat = uniqueChat("oa-header");
        for (String text : List.of("first by header", "second by header")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .header("X-Caravan-Chat-Id", chat)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"general\",\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"" + text + "\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertSecurityHeaders(r);
        }
        JsonNode sent = MODEL.requests().get(MODEL.requests().size() - 1);
        assertThat(sent.path("messages").findValuesAsText("content"))
                .containsSubsequence("first by header", "echo: first by header", "second by header");
    }

    @Test
    void profileChoosesTheModelAndSystemPrompt() throws Exception {
        completion("{\"model\":\"coder\",\"messages\":[{\"role\":\"user\",\"content\":\"write code\"}]}");
        JsonNode sent = MODEL.requests().get(MODEL.requests().size() - 1);
        assertThat(sent.path("model").asText()).isEqualTo("fake-coder");
        assertThat(sent.path("messages").path(0).path("content").asText()).isEqualTo("You write code.");
    }

    @Test
    void noConfiguredProviderExplainsHowToConfigureOne() throws Exception {
        HttpResponse<String> r = postJson("/v1/chat/completions",
                "{\"model\":\"noprovider\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("provider_not_configured");
        assertThat(error.path("message").asText()).contains("OPENAI_API_KEY", "OPENAI_BASE_URL");
    }

    @Test
    void providerErrorIsAClearOpenAiError() throws Exception {
        MODEL.failNext(1, 500, "{\"error\":{\"message\":\"boom\"}}");
        HttpResponse<String> r = postJson("/v1/chat/completions",
                "{\"model\":\"general\",\"messages\":[{\"role\":\"user\",\"content\":\"fail please\"}]}");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).contains("HTTP 500");
    }

    @Test
    void providerTimeoutIsAClearOpenAiError() throws Exception {
        MODEL.hangNext(1);
        HttpResponse<String> r = postJson("/v1/chat/completions",
                "{\"model\":\"general\",\"messages\":[{\"role\":\"user\",\"content\":\"hang please\"}]}");
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo("provider_timeout");
    }

    /*
     * A reply goes to the request waiting for it here as soon as the pipeline has it on Kafka, not once the egress
     * route has read the record back: with that route suspended, whole and streamed requests are answered all the
     * same, from replies that are on the outbound topic.
     */
    @Test
    void aRequestWaitingHereIsAnsweredOnceItsReplyIsOnKafka() throws Exception {
        camel.getRouteController().suspendRoute("openai-egress");
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> published;
        try {
            JsonNode whole = completion("{\"model\":\"general\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"early whole\"}]}");
            assertThat(whole.path("choices").path(0).path("message").path("content").asText())
                    .isEqualTo("echo: early whole");
            HttpResponse<String> streamed = postJson("/v1/chat/completions", "{\"model\":\"general\","
                    + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"early stream\"}]}");
            assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
            assertThat(streamedText(streamed.body())).isEqualTo("echo: early stream");
            published = TestInfra.kafka().readUntil("caravan.outbound.openai",
                    r -> EnvelopeCodec.decode(r.value()).text().startsWith("echo: early "),
                    found -> found.size() >= 2, Duration.ofSeconds(30));
            assertThat(published).hasSize(2);
        } finally {
            camel.getRouteController().resumeRoute("openai-egress");
        }
        // resumed, the egress route reads both (nobody waits for them any more) and then, in each chat's order, the
        // next reply of the same chat, which its waiting request takes
        for (var record : published) {
            String chat = record.key().substring((WebChannels.OPENAI + ":").length());
            String next = Ids.newId();
            PendingReplies.Waiter waits = registry.expect(next, null);
            Envelope reply = reply(chat, next, "the next one");
            TestInfra.kafka().send("caravan.outbound.openai", reply.kafkaKey(), EnvelopeCodec.encode(reply));
            assertThat(waits.reply().get(30, java.util.concurrent.TimeUnit.SECONDS).text()).isEqualTo("the next one");
        }
        assertThat(TestInfra.kafka().readUntil("caravan.dlq", r -> new String(r.value(),
                java.nio.charset.StandardCharsets.UTF_8).contains("early "), list -> !list.isEmpty(),
                Duration.ofSeconds(2))).isEmpty();
    }

    /*
     * A reply record can reach the egress twice (a redelivery after a crash). The waiting request takes the first
     * and is gone; the second finds nobody waiting and is dropped without an error or a mark in Redis. All three
     * records are of one conversation (one partition, in order): once the last is delivered, the copy was handled.
     */
    @Test
    void aReplyRecordSeenTwiceCompletesItsRequestOnce() throws Exception {
        KafkaTestSupport kafka = TestInfra.kafka();
        String chat = uniqueChat("oa-twice");
        String first = Ids.newId();
        String second = Ids.newId();
        PendingReplies.Waiter waitsFirst = registry.expect(first, null);
        PendingReplies.Waiter waitsSecond = registry.expect(second, null);
        Envelope reply = reply(chat, first, "the one answer");
        kafka.send("caravan.outbound.openai", reply.kafkaKey(), EnvelopeCodec.encode(reply));
        kafka.send("caravan.outbound.openai", reply.kafkaKey(), EnvelopeCodec.encode(reply));
        Envelope next = reply(chat, second, "the next answer");
        kafka.send("caravan.outbound.openai", next.kafkaKey(), EnvelopeCodec.encode(next));

        assertThat(waitsSecond.reply().get(30, java.util.concurrent.TimeUnit.SECONDS).text())
                .isEqualTo("the next answer");
        assertThat(waitsFirst.reply().getNow(null)).extracting(Envelope::text).isEqualTo("the one answer");
        assertThat(redis.hasKey("caravan:delivered:" + Pseudonyms.of(reply.dedupeKey()))).isFalse();
        assertThat(kafka.readUntil("caravan.dlq", r -> reply.kafkaKey().equals(r.key()), list -> !list.isEmpty(),
                Duration.ofSeconds(2))).isEmpty();
    }

    private Envelope reply(String chat, String inReplyTo, String text) {
        return Envelope.builder().id(Ids.newId()).channel(WebChannels.OPENAI).chatType(ChatType.DIRECT)
                .chatId(chat).text(text).instance(identity.id()).inReplyTo(inReplyTo).build();
    }

    @Test
    void badRequestsGetOpenAiStyleErrors() throws Exception {
        assertCode(postJson("/v1/chat/completions", "{"), 400, "bad_json");
        assertCode(postJson("/v1/chat/completions", "{\"model\":\"general\",\"messages\":[]}"), 400,
                "missing_messages");
        assertCode(postJson("/v1/chat/completions",
                "{\"model\":\"general\",\"messages\":[{\"role\":\"assistant\",\"content\":\"x\"}]}"), 400,
                "invalid_messages");
        assertCode(postJson("/v1/chat/completions", "{\"model\":\"general\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + "a".repeat(40_000) + "\"}]}"), 413, "text_too_large");
        assertCode(postJson("/v1/chat/completions",
                "{\"model\":123,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400, "invalid_model");
        HttpResponse<String> unknown = postJson("/v1/chat/completions",
                "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertCode(unknown, 404, "model_not_found");
        assertThat(JSON.readTree(unknown.body()).path("error").path("param").asText()).isEqualTo("model");
    }

    private JsonNode completion(String body) throws Exception {
        HttpResponse<String> r = postJson("/v1/chat/completions", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /*
     * A completion is written after the request has left the filters (once the reply is here, whole or as a stream
     * of events): the headers they set when the request came in are on the answer all the same.
     */
    private static void assertSecurityHeaders(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(r.headers().firstValue("Cache-Control").orElse("")).contains("no-cache");
    }

    private static void assertCode(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo(code);
    }
}
