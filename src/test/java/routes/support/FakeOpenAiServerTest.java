package routes.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Checks {@link FakeOpenAiServer} over real HTTP with the JDK client, the way a gateway under test would see it.
 */
class FakeOpenAiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static HttpClient client;

    private FakeOpenAiServer fake;

    @BeforeAll
    static void createClient() {
        // HTTP/1.1 explicitly: the JDK client would otherwise try an h2c upgrade first.
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void dropClient() {
        client = null;
    }

    @BeforeEach
    void startFake() {
        fake = new FakeOpenAiServer().start();
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    // ------------------------------------------------------------------ normal answers

    @Test
    void baseUrlIsTheV1RootOnLoopback() {
        assertThat(fake.baseUrl()).isEqualTo("http://127.0.0.1:" + fake.port() + "/v1");
        assertThat(fake.chatCompletionsUrl()).isEqualTo(fake.baseUrl() + "/chat/completions");
    }

    @Test
    void nonStreamingAnswerIsAChatCompletionEchoingTheLastUserMessage() throws Exception {
        ObjectNode request = chatRequest("Hello there world", false);
        request.putArray("messages")
                .add(message("system", "be brief"))
                .add(message("user", "first question"))
                .add(message("assistant", "first answer"))
                .add(message("user", "Hello there world"));
        request.put("temperature", 0.2).put("max_tokens", 64).put("user", "u-1");

        HttpResponse<String> response = post(request);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("id").asText()).startsWith("chatcmpl-");
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("created").asLong()).isPositive();
        assertThat(body.path("model").asText()).isEqualTo("gpt-test");
        JsonNode choice = body.path("choices").get(0);
        assertThat(choice.path("index").asInt()).isZero();
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isEqualTo("echo: Hello there world");
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = body.path("usage");
        // prompt: 2 + 2 + 2 + 3 words; completion: "echo:", "Hello", "there", "world"
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(9);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(4);
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(13);

        assertThat(fake.requestCount()).isEqualTo(1);
        assertThat(fake.requests()).containsExactly(request);
        FakeOpenAiServer.RecordedRequest recorded = fake.recordedRequests().get(0);
        assertThat(recorded.method()).isEqualTo("POST");
        assertThat(recorded.path()).isEqualTo("/v1/chat/completions");
        assertThat(recorded.header("content-type")).isEqualTo("application/json");
    }

    @Test
    void contentGivenAsTextPartsIsEchoed() throws Exception {
        ObjectNode request = JSON.createObjectNode();
        ObjectNode user = request.putArray("messages").addObject().put("role", "user");
        user.putArray("content")
                .add(JSON.createObjectNode().put("type", "text").put("text", "look at"))
                .add(JSON.createObjectNode().put("type", "image_url"))
                .add(JSON.createObjectNode().put("type", "text").put("text", "this"));

        JsonNode body = JSON.readTree(post(request).body());

        assertThat(body.path("model").asText()).isEqualTo(FakeOpenAiServer.MODEL_ID);
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("echo: look at this");
    }

    @Test
    void streamingSendsChunksThatConcatenateToTheFullTextThenUsageThenDone() throws Exception {
        ObjectNode request = chatRequest("the quick  brown fox", true);
        request.putObject("stream_options").put("include_usage", true);

        HttpResponse<String> response = post(request);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        // Every event is exactly "data: <payload>\n\n".
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        List<String> payloads = new ArrayList<>();
        for (String event : response.body().split("\n\n")) {
            assertThat(event).startsWith("data: ").doesNotContain("\n");
            payloads.add(event.substring("data: ".length()));
        }
        assertThat(payloads.get(payloads.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = new ArrayList<>();
        for (String payload : payloads.subList(0, payloads.size() - 1)) {
            chunks.add(JSON.readTree(payload));
        }
        String id = chunks.get(0).path("id").asText();
        for (JsonNode chunk : chunks) {
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("id").asText()).isEqualTo(id);
            assertThat(chunk.path("model").asText()).isEqualTo("gpt-test");
        }
        assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");

        JsonNode usageChunk = chunks.get(chunks.size() - 1);
        assertThat(usageChunk.path("choices")).isEmpty();
        assertThat(usageChunk.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        assertThat(usageChunk.at("/usage/total_tokens").asInt())
                .isEqualTo(usageChunk.at("/usage/prompt_tokens").asInt() + 5);

        JsonNode stopChunk = chunks.get(chunks.size() - 2);
        assertThat(stopChunk.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(stopChunk.at("/choices/0/delta").isEmpty()).isTrue();

        List<JsonNode> contentChunks = chunks.subList(1, chunks.size() - 2);
        assertThat(contentChunks).hasSizeGreaterThan(1);
        String text = contentChunks.stream()
                .peek(c -> assertThat(c.at("/choices/0/finish_reason").isNull()).isTrue())
                .map(c -> c.at("/choices/0/delta/content").asText())
                .collect(Collectors.joining());
        assertThat(text).isEqualTo("echo: the quick  brown fox");
    }

    @Test
    void streamingWithoutIncludeUsageHasNoUsageChunk() throws Exception {
        List<String> payloads = ssePayloads(post(chatRequest("hi", true)).body());

        assertThat(payloads).last().isEqualTo("[DONE]");
        JsonNode last = JSON.readTree(payloads.get(payloads.size() - 2));
        assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        for (String payload : payloads.subList(0, payloads.size() - 1)) {
            assertThat(JSON.readTree(payload).has("usage")).isFalse();
        }
    }

    @Test
    void streamedChunksReachTheClientOneByOne() throws Exception {
        Duration interval = Duration.ofMillis(100);
        fake.tokenInterval(interval);

        HttpResponse<Stream<String>> response = client.send(postRequest(chatRequest("a b c", true)),
                HttpResponse.BodyHandlers.ofLines());
        List<Long> arrivals = new ArrayList<>();
        List<String> lines;
        try (Stream<String> body = response.body()) {
            lines = body.filter(line -> !line.isEmpty())
                    .peek(line -> arrivals.add(System.nanoTime()))
                    .collect(Collectors.toList());
        }

        // role + "echo: " "a " "b " "c" + stop + [DONE] = 7 events, so 6 pauses of 100 ms between them. Were the
        // chunks buffered until the end they would all arrive together.
        assertThat(lines).hasSize(7).last().isEqualTo("data: [DONE]");
        long spreadMillis = TimeUnit.NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1) - arrivals.get(0));
        assertThat(spreadMillis).isGreaterThanOrEqualTo(450);
    }

    @Test
    void replyWithChangesTheText() throws Exception {
        fake.replyWith(request -> "model was " + request.path("model").asText());

        assertThat(contentOf(post(chatRequest("x", false)))).isEqualTo("model was gpt-test");
        assertThat(streamedText(post(chatRequest("x", true)).body())).isEqualTo("model was gpt-test");
    }

    @Test
    void replyFunctionFailureIsA500() throws Exception {
        fake.replyWith(request -> {
            throw new IllegalStateException("boom");
        });

        HttpResponse<String> response = post(chatRequest("x", false));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("boom");
    }

    @Test
    void modelsListsOneModel() throws Exception {
        HttpResponse<String> response = get("/models");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("object").asText()).isEqualTo("list");
        assertThat(body.path("data")).hasSize(1);
        assertThat(body.at("/data/0/id").asText()).isEqualTo(FakeOpenAiServer.MODEL_ID);
        assertThat(body.at("/data/0/object").asText()).isEqualTo("model");
        assertThat(fake.requestCount()).as("only chat completions are recorded").isZero();
    }

    @Test
    void unknownPathWrongMethodAndBadBodyGetOpenAiErrors() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);

        HttpResponse<String> getCompletions = get("/chat/completions");
        assertThat(getCompletions.statusCode()).isEqualTo(405);
        assertThat(getCompletions.headers().firstValue("Allow")).hasValue("POST");

        HttpResponse<String> notJson = client.send(HttpRequest.newBuilder(URI.create(fake.chatCompletionsUrl()))
                .POST(HttpRequest.BodyPublishers.ofString("{oops")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(fake.requests()).hasSize(1);
        assertThat(fake.requests().get(0).asText()).isEqualTo("{oops");
    }

    // ------------------------------------------------------------------ scripted failures

    @Test
    void failNextAnswersTheGivenStatusAndBodyThenRecovers() throws Exception {
        String error = FakeOpenAiServer.openAiError("upstream exploded", "server_error", "boom");
        fake.failNext(2, 500, error);

        HttpResponse<String> first = post(chatRequest("1", false));
        HttpResponse<String> second = post(chatRequest("2", false));
        HttpResponse<String> third = post(chatRequest("3", false));

        assertThat(first.statusCode()).isEqualTo(500);
        assertThat(first.body()).isEqualTo(error);
        JsonNode parsed = JSON.readTree(second.body());
        assertThat(parsed.at("/error/message").asText()).isEqualTo("upstream exploded");
        assertThat(parsed.at("/error/type").asText()).isEqualTo("server_error");
        assertThat(parsed.at("/error/code").asText()).isEqualTo("boom");
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(contentOf(third)).isEqualTo("echo: 3");
        assertThat(fake.requestCount()).isEqualTo(3);
    }

    @Test
    void failNextWithoutBodySendsADefaultOpenAiError() throws Exception {
        fake.failNext(1, 503, null);

        HttpResponse<String> response = post(chatRequest("x", true));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.has("code")).isTrue();
    }

    @Test
    void failNext429SetsRetryAfterInSeconds() throws Exception {
        fake.failNext429(1, Duration.ofMillis(1500));

        HttpResponse<String> limited = post(chatRequest("x", false));

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(limited.headers().firstValue("retry-after-ms")).hasValue("1500");
        assertThat(JSON.readTree(limited.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(post(chatRequest("x", false)).statusCode()).isEqualTo(200);
    }

    @Test
    void failAlwaysUntilRecover() throws Exception {
        fake.failAlways(502);

        assertThat(post(chatRequest("1", false)).statusCode()).isEqualTo(502);
        assertThat(post(chatRequest("2", true)).statusCode()).isEqualTo(502);

        fake.recover();
        assertThat(post(chatRequest("3", false)).statusCode()).isEqualTo(200);
    }

    @Test
    void queuedFaultsAreServedInOrderBeforeFailAlways() throws Exception {
        fake.failNext(1, 500, null).failNext429(1, Duration.ofSeconds(1)).failAlways(503);

        assertThat(post(chatRequest("1", false)).statusCode()).isEqualTo(500);
        assertThat(post(chatRequest("2", false)).statusCode()).isEqualTo(429);
        assertThat(post(chatRequest("3", false)).statusCode()).isEqualTo(503);
    }

    @Test
    void hungRequestIsNeverAnsweredAndFailsWhenTheServerCloses() throws Exception {
        fake.hangNext(1);

        CompletableFuture<HttpResponse<String>> hung = postAsync(chatRequest("wait", false));
        fake.awaitRequests(1, Duration.ofSeconds(5));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !hung.isDone());

        // Only one request hangs, and it does not hold up the others.
        assertThat(post(chatRequest("next", false)).statusCode()).isEqualTo(200);
        assertThat(hung).isNotDone();

        fake.close();

        await().atMost(Duration.ofSeconds(5)).until(hung::isDone);
        assertThat(catchThrowable(hung::get)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void resetDropsHungRequests() throws Exception {
        fake.hangNext(1);
        CompletableFuture<HttpResponse<String>> hung = postAsync(chatRequest("wait", false));
        fake.awaitRequests(1, Duration.ofSeconds(5));

        fake.reset();

        // the hung exchange is released: its connection closes (the JDK client may transparently retry a request
        // whose pooled connection closed, and the retry is answered now that nothing hangs)
        await().atMost(Duration.ofSeconds(5)).until(hung::isDone);
        Throwable outcome = catchThrowable(hung::get);
        if (outcome != null) {
            assertThat(outcome).hasCauseInstanceOf(IOException.class);
        } else {
            assertThat(hung.get().statusCode()).isEqualTo(200);
        }
        assertThat(post(chatRequest("still serving", false)).statusCode()).isEqualTo(200);
    }

    @Test
    void truncatedStreamEndsWithoutDone() throws Exception {
        fake.truncateStreamNext(1);

        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = client.send(
                postRequest(chatRequest("one two three four", true)), HttpResponse.BodyHandlers.ofPublisher());
        assertThat(response.statusCode()).isEqualTo(200);
        // A subscriber sees every byte that arrived before the error; an InputStream body may drop them instead.
        Received received = receive(response.body());

        assertThat(received.error()).as("the connection is dropped mid-body").isInstanceOf(IOException.class);
        List<String> data = received.text().lines().filter(l -> l.startsWith("data: ")).collect(Collectors.toList());
        assertThat(data).noneMatch(l -> l.contains("[DONE]")).noneMatch(l -> l.contains("\"stop\""));
        assertThat(data).as("role chunk and some content chunks").hasSizeGreaterThan(1);
        assertThat(JSON.readTree(data.get(0).substring(6)).at("/choices/0/delta/role").asText())
                .isEqualTo("assistant");

        assertThat(streamedText(post(chatRequest("again", true)).body())).isEqualTo("echo: again");
    }

    @Test
    void truncatedStreamWithTokenIntervalDropsWhenTheNextTokenIsDue() throws Exception {
        fake.tokenInterval(Duration.ofMillis(50)).truncateStreamNext(1);

        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = client.send(
                postRequest(chatRequest("one two three four", true)), HttpResponse.BodyHandlers.ofPublisher());
        Received received = receive(response.body());

        assertThat(received.error()).isInstanceOf(IOException.class);
        // role + the first 3 of "echo: " "one " "two " "three " "four"
        assertThat(received.text().lines().filter(l -> l.startsWith("data: "))).hasSize(4);
    }

    @Test
    void truncatedNonStreamingAnswerFailsTheClient() {
        fake.truncateStreamNext(1);

        Throwable failure = catchThrowable(() -> post(chatRequest("x", false)));

        assertThat(failure).isInstanceOf(IOException.class);
    }

    @Test
    void malformedAnswerIs200WithInvalidJson() throws Exception {
        fake.malformedNext(2);

        HttpResponse<String> plain = post(chatRequest("x", false));
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> JSON.readTree(plain.body())).isInstanceOf(JsonProcessingException.class);

        HttpResponse<String> streamed = post(chatRequest("x", true));
        assertThat(streamed.statusCode()).isEqualTo(200);
        List<String> payloads = ssePayloads(streamed.body());
        assertThat(payloads).last().isEqualTo("[DONE]");
        assertThatThrownBy(() -> JSON.readTree(payloads.get(0))).isInstanceOf(JsonProcessingException.class);

        assertThat(post(chatRequest("x", false)).statusCode()).isEqualTo(200);
    }

    @Test
    void requiredApiKeyRejectsOtherRequestsWith401() throws Exception {
        fake.requireApiKey("sk-test").failNext(1, 500, null);

        HttpResponse<String> missing = post(chatRequest("x", false));
        HttpResponse<String> wrong = send(postBuilder(chatRequest("x", false))
                .header("Authorization", "Bearer sk-other").build());
        HttpResponse<String> models = get("/models");

        for (HttpResponse<String> rejected : List.of(missing, wrong, models)) {
            assertThat(rejected.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(rejected.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
        }
        // The 401s did not use up the queued failure.
        HttpRequest authorized = postBuilder(chatRequest("x", false)).header("Authorization", "Bearer sk-test").build();
        assertThat(send(authorized).statusCode()).isEqualTo(500);
        assertThat(send(authorized).statusCode()).isEqualTo(200);

        fake.requireApiKey(null);
        assertThat(post(chatRequest("x", false)).statusCode()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ delays and concurrency

    @Test
    void delayHoldsTheAnswer() throws Exception {
        fake.delay(Duration.ofMillis(300));

        long start = System.nanoTime();
        HttpResponse<String> response = post(chatRequest("slow", false));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(tookMillis).isGreaterThanOrEqualTo(300);
    }

    @Test
    void thousandConcurrentDelayedRequestsFinishTogether() {
        int n = 1000;
        // A client of its own with a small fixed executor: on a 2-core machine the default cached pool spends
        // more time creating threads than the fake spends answering, and would be measured instead of the fake.
        ExecutorService clientThreads = Executors.newFixedThreadPool(2);
        HttpClient loadClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(clientThreads).build();
        try {
            // Warm-up without delay so that JIT compilation of both client and server is not all that gets timed.
            sendAll(loadClient, 300);
            fake.delay(Duration.ofMillis(500));

            // Best of up to 3 rounds: most of the time goes to the JDK client and the JIT compiler sharing two
            // cores with the fake, so one slow round says little; serially the delays alone would take 500 s,
            // and a thread per delayed request would need 1,000 threads.
            long bestMillis = Long.MAX_VALUE;
            for (int round = 0; round < 3 && bestMillis >= 3000; round++) {
                fake.clear();
                long start = System.nanoTime();
                List<HttpResponse<String>> responses = sendAll(loadClient, n);
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                bestMillis = Math.min(bestMillis, tookMillis);

                assertThat(tookMillis).isGreaterThanOrEqualTo(500);
                for (int i = 0; i < n; i++) {
                    HttpResponse<String> response = responses.get(i);
                    assertThat(response.statusCode()).isEqualTo(200);
                    String text = i % 2 == 0 ? streamedText(response.body()) : contentOf(response);
                    assertThat(text).isEqualTo("echo: message " + i);
                }
                assertThat(fake.requestCount()).isEqualTo(n);
            }
            assertThat(bestMillis).isLessThan(3000);
        } finally {
            clientThreads.shutdownNow();
        }
    }

    /** Sends {@code n} requests at once, every other one streaming, and waits for all answers. */
    private List<HttpResponse<String>> sendAll(HttpClient loadClient, int n) {
        List<CompletableFuture<HttpResponse<String>>> futures = IntStream.range(0, n)
                .mapToObj(i -> loadClient.sendAsync(postRequest(chatRequest("message " + i, i % 2 == 0)),
                        HttpResponse.BodyHandlers.ofString()))
                .collect(Collectors.toList());
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        return futures.stream().map(CompletableFuture::join).collect(Collectors.toList());
    }

    @Test
    void queuedFailuresAreCountedExactlyUnderConcurrency() {
        fake.failNext(37, 500, null).delay(Duration.ofMillis(50));
        int n = 200;

        List<CompletableFuture<HttpResponse<String>>> futures = IntStream.range(0, n)
                .mapToObj(i -> postAsync(chatRequest("m" + i, false)))
                .collect(Collectors.toList());
        Map<Integer, Long> byStatus = futures.stream()
                .map(f -> f.orTimeout(30, TimeUnit.SECONDS).join().statusCode())
                .collect(Collectors.groupingBy(s -> s, Collectors.counting()));

        assertThat(byStatus).containsExactlyInAnyOrderEntriesOf(Map.of(500, 37L, 200, 163L));
        assertThat(fake.requestCount()).isEqualTo(n);
    }

    // ------------------------------------------------------------------ recording

    @Test
    void recordingKeepsArrivalOrderAndReturnsCopies() throws Exception {
        post(chatRequest("first", false));
        post(chatRequest("second", true));

        List<JsonNode> requests = fake.requests();
        assertThat(requests).extracting(r -> r.at("/messages/0/content").asText()).containsExactly("first", "second");
        ((ObjectNode) requests.get(0)).put("model", "changed");
        assertThat(fake.requests().get(0).path("model").asText()).isEqualTo("gpt-test");

        fake.clear();
        assertThat(fake.requestCount()).isZero();
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void awaitRequestsWaitsForArrivalsAndFailsOnTimeout() {
        fake.delay(Duration.ofMillis(200));
        CompletableFuture<HttpResponse<String>> pending = postAsync(chatRequest("x", false));

        assertThat(fake.awaitRequests(1, Duration.ofSeconds(5))).hasSize(1);
        assertThatThrownBy(() -> fake.awaitRequests(2, Duration.ofMillis(50))).isInstanceOf(AssertionError.class);
        assertThat(pending.orTimeout(5, TimeUnit.SECONDS).join().statusCode()).isEqualTo(200);
    }

    @Test
    void resetRestoresDefaults() throws Exception {
        fake.replyWith(r -> "custom").failAlways(500).requireApiKey("k").hangNext(3).reset();

        assertThat(contentOf(post(chatRequest("back", false)))).isEqualTo("echo: back");
    }

    // ------------------------------------------------------------------ helpers

    /** What a streaming subscriber got: the text received, then the error that ended the body, if any. */
    private record Received(String text, Throwable error) {
    }

    private static Received receive(Flow.Publisher<List<ByteBuffer>> body) throws Exception {
        StringBuilder text = new StringBuilder();
        CompletableFuture<Throwable> end = new CompletableFuture<>();
        body.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                for (ByteBuffer buffer : buffers) {
                    text.append(StandardCharsets.UTF_8.decode(buffer));
                }
            }

            @Override
            public void onError(Throwable error) {
                end.complete(error);
            }

            @Override
            public void onComplete() {
                end.complete(null);
            }
        });
        Throwable error = end.get(10, TimeUnit.SECONDS);
        // Signals are serial, so everything appended happened before end completed.
        return new Received(text.toString(), error);
    }

    private static ObjectNode chatRequest(String userText, boolean stream) {
        ObjectNode request = JSON.createObjectNode();
        request.put("model", "gpt-test");
        request.putArray("messages").add(message("user", userText));
        request.put("stream", stream);
        return request;
    }

    private static ObjectNode message(String role, String content) {
        return JSON.createObjectNode().put("role", role).put("content", content);
    }

    private HttpRequest.Builder postBuilder(JsonNode body) {
        return HttpRequest.newBuilder(URI.create(fake.chatCompletionsUrl()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    private HttpRequest postRequest(JsonNode body) {
        return postBuilder(body).build();
    }

    private HttpResponse<String> post(JsonNode body) throws IOException, InterruptedException {
        return send(postRequest(body));
    }

    private CompletableFuture<HttpResponse<String>> postAsync(JsonNode body) {
        return client.sendAsync(postRequest(body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String pathUnderV1) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + pathUnderV1)).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String contentOf(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body()).at("/choices/0/message/content").asText();
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private static List<String> ssePayloads(String body) {
        List<String> payloads = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            assertThat(event).startsWith("data: ");
            payloads.add(event.substring("data: ".length()));
        }
        return payloads;
    }

    private static String streamedText(String body) {
        StringBuilder text = new StringBuilder();
        for (String payload : ssePayloads(body)) {
            if (payload.equals("[DONE]")) {
                continue;
            }
            try {
                JsonNode delta = JSON.readTree(payload).at("/choices/0/delta/content");
                if (delta.isTextual()) {
                    text.append(delta.asText());
                }
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON: " + payload, e);
            }
        }
        return text.toString();
    }
}
