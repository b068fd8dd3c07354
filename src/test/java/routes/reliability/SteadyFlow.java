package routes.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.support.WsTestClient;
import routes.support.fakes.FakeTelegramServer;

/**
 * A steady flow of REST messages, Telegram webhook updates and WebSocket messages into one child Caravan, for
 * suites that break something underneath it: every chat sends its messages one after another, {@code pace} apart,
 * each until it is accepted (as a REST client retrying with the same id, Telegram redelivering, or the web chat
 * sending again after an "unavailable" error frame would). {@link #finish} waits for every answer and judges what
 * the people saw.
 *
 * <p>The model must answer {@code "echo: <text> #<n>"} (see {@link routes.support.FakeOpenAiServer#echoReply}).
 */
final class SteadyFlow {

    static final String OUTBOUND = "caravan.outbound.rest";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    /** What the flow came to. {@code duplicated} counts replies a person saw twice. */
    record Tally(int accepted, int replied, int lost, int duplicated, int duplicateReplyRecords, List<String> wrong,
            Map<String, Integer> answers) {

        boolean clean() {
            return lost == 0 && duplicated == 0 && wrong.isEmpty();
        }
    }

    private final ChildCaravan caravan;
    private final FakeTelegramServer telegram;
    private final String prefix;
    private final int restChats;
    private final int telegramChats;
    private final int webSocketChats;
    private final int perChat;
    private boolean streamErrorsAllowed;
    private int streamErrorReplies;
    private final Duration pace;
    private final Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final Set<String> restAccepted = ConcurrentHashMap.newKeySet();
    private final Map<String, String> restTexts = new LinkedHashMap<>();
    private final Map<String, List<String>> telegramPlan = new LinkedHashMap<>();
    private final Set<Long> telegramAccepted = ConcurrentHashMap.newKeySet();
    /** WebSocket client of each WebSocket chat, and the texts that chat sent by message id, in order. */
    private final Map<WsTestClient, Map<String, String>> webSocketPlan = new LinkedHashMap<>();
    private final Set<String> webSocketAccepted = ConcurrentHashMap.newKeySet();
    private final ExecutorService frameWaits = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "steady-flow-ws");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<Void> allPosted;

    /**
     * @param prefix        makes the chat ids of this flow unique
     * @param telegramChats chats sending through the Telegram webhook (ids from {@code telegramBase} up)
     */
    SteadyFlow(ChildCaravan caravan, FakeTelegramServer telegram, String prefix, int restChats, int telegramChats,
            int webSocketChats, int perChat, Duration pace) {
        this.caravan = caravan;
        this.telegram = telegram;
        this.prefix = prefix;
        this.restChats = restChats;
        this.telegramChats = telegramChats;
        this.webSocketChats = webSocketChats;
        this.perChat = perChat;
        this.pace = pace;
    }

    /** Starts every chat's chain of posts; each gives up (and fails the flow) after {@code limit}. */
    SteadyFlow start(Duration limit, long telegramBase) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int c = 0; c < restChats; c++) {
            String chatId = prefix + "-chat-" + c;
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int m = 0; m < perChat; m++) {
                String id = chatId + "-m" + m;
                String text = "message " + m + " of " + chatId;
                String body = JSON.createObjectNode().put("id", id).put("chatId", chatId).put("senderId", "tester")
                        .put("text", text).toString();
                restTexts.put(id, text);
                chain = chain.thenCompose(ignored -> paced())
                        .thenCompose(ignored -> post("/api/v1/messages", Map.of(), body, 202, deadline))
                        .thenRun(() -> restAccepted.add(id));
            }
            chains.add(chain);
        }
        for (int c = 0; c < telegramChats; c++) {
            long chatId = telegramBase + c;
            List<String> texts = new ArrayList<>();
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int m = 0; m < perChat; m++) {
                String text = "update " + m + " of " + chatId;
                texts.add(text);
                JsonNode update = telegram.privateText(chatId, text);
                long updateId = update.path("update_id").asLong();
                chain = chain.thenCompose(ignored -> paced())
                        .thenCompose(ignored -> post("/webhooks/telegram", ClientTraffic.telegramHeaders(),
                                update.toString(), 200, deadline))
                        .thenRun(() -> telegramAccepted.add(updateId));
            }
            telegramPlan.put(Long.toString(chatId), texts);
            chains.add(chain);
        }
        for (int c = 0; c < webSocketChats; c++) {
            String chatId = prefix + "-ws-" + c;
            WsTestClient client = WsTestClient.connect(caravan.baseUrl(), chatId);
            Map<String, String> texts = new LinkedHashMap<>();
            webSocketPlan.put(client, texts);
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int m = 0; m < perChat; m++) {
                String id = chatId + "-m" + m;
                String text = "frame " + m + " of " + chatId;
                texts.put(id, text);
                chain = chain.thenCompose(ignored -> paced())
                        .thenCompose(ignored -> sendUntilAccepted(client, chatId, id, text, deadline))
                        .thenRun(() -> webSocketAccepted.add(id));
            }
            chains.add(chain);
        }
        allPosted = CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new));
        return this;
    }

    /**
     * Sends a WebSocket message until its accepted frame comes, again 250 ms after each "unavailable" error frame
     * (what the web chat page does); counts each outcome like an HTTP answer ("ws accepted", "ws unavailable").
     */
    private CompletableFuture<Void> sendUntilAccepted(WsTestClient client, String chatId, String id, String text,
            long deadline) {
        int errorsBefore = errorFrames(client, id);
        return CompletableFuture.supplyAsync(() -> {
            client.sendMessage(chatId, id, text);
            return client.await(f -> id.equals(f.path("id").asText())
                    && ("accepted".equals(f.path("type").asText()) || errorFrames(client, id) > errorsBefore),
                    Duration.ofSeconds(30));
        }, frameWaits).thenCompose(frame -> {
            String type = frame.path("type").asText();
            boolean accepted = "accepted".equals(type);
            String outcome = accepted ? "accepted" : frame.path("code").asText(type);
            statuses.computeIfAbsent("ws " + outcome, k -> new AtomicInteger()).incrementAndGet();
            if (accepted) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (!"unavailable".equals(outcome) || System.nanoTime() > deadline) {
                return CompletableFuture.<Void>failedFuture(new AssertionError("WebSocket message " + id
                        + " answered " + frame));
            }
            return CompletableFuture.runAsync(() -> { },
                            CompletableFuture.delayedExecutor(250, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> sendUntilAccepted(client, chatId, id, text, deadline));
        });
    }

    private static int errorFrames(WsTestClient client, String id) {
        return (int) client.framesOfType("error").stream().filter(f -> id.equals(f.path("id").asText())).count();
    }

    /**
     * Accepts, on WebSocket, an error reply ({@code provider_error}) to a message whose model stream broke after
     * its first fragments were shown: the client saw part of an answer, so Caravan says what happened instead of
     * starting over. For suites that cut model streams short.
     */
    SteadyFlow allowingStreamErrors() {
        streamErrorsAllowed = true;
        return this;
    }

    /** WebSocket messages answered with a clear error after their stream broke (see {@link #allowingStreamErrors}). */
    int streamErrorReplies() {
        return streamErrorReplies;
    }

    /** Answers refused with 503 (or an "unavailable" frame) so far. */
    int refused() {
        return statuses.entrySet().stream()
                .filter(e -> e.getKey().endsWith(" 503") || e.getKey().equals("ws unavailable"))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** Messages accepted so far. */
    int accepted() {
        return restAccepted.size() + telegramAccepted.size() + webSocketAccepted.size();
    }

    /** Every answer was an acceptance, a refusal to come back later (503, "unavailable") or no answer at all. */
    boolean onlyAcceptedOrRefused() {
        return statuses.keySet().stream().allMatch(k -> k.endsWith(" 200") || k.endsWith(" 202")
                || k.endsWith(" 503") || k.endsWith(" -1") || k.equals("ws accepted") || k.equals("ws unavailable"));
    }

    /** Closes the WebSocket clients ({@link #finish} does when it has judged). */
    void close() {
        webSocketPlan.keySet().forEach(WsTestClient::close);
        frameWaits.shutdownNow();
    }

    /** Every answer so far, as "path status" to count (-1: no answer). */
    Map<String, Integer> answers() {
        return statuses.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }

    /**
     * Waits until every message was accepted and answered and the pipeline and egress caught up, then judges: each
     * REST message has its echo, shown once (a reply published twice around an outage is fine as long as the
     * first one is what the client reads); each Telegram chat shows one echo per update, in order.
     */
    Tally finish(KafkaProbe probe, Duration wait) throws Exception {
        allPosted.get(wait.toSeconds(), TimeUnit.SECONDS);
        Map<String, String> restReplies = new ConcurrentHashMap<>();
        await("every REST message replied").atMost(wait).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (String id : restAccepted) {
                        if (!restReplies.containsKey(id)) {
                            replyOf(id).ifPresent(text -> restReplies.put(id, text));
                        }
                    }
                    return restReplies.size() == restAccepted.size();
                });
        try {
            await("every Telegram update answered").atMost(wait).pollInterval(Duration.ofMillis(500))
                    .until(() -> telegramPlan.keySet().stream().allMatch(chat -> telegram.shown(chat).size() >= perChat));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Map<String, String> unanswered = new LinkedHashMap<>();
            telegramPlan.forEach((chat, texts) -> {
                List<String> shown = telegram.shown(chat);
                if (shown.size() < perChat) {
                    unanswered.put(chat, shown.size() + " of " + perChat + ", last shown "
                            + (shown.isEmpty() ? "none" : shown.get(shown.size() - 1)) + ", send attempts "
                            + telegram.sendAttempts(chat).size());
                }
            });
            throw new AssertionError("Telegram updates unanswered: " + unanswered + "; "
                    + probe.behind("caravan-pipeline", "caravan.inbound") + "; "
                    + probe.behind("caravan-egress", "caravan.outbound.telegram"), e);
        }
        await("every WebSocket message replied").atMost(wait).pollInterval(Duration.ofMillis(500))
                .until(() -> webSocketPlan.entrySet().stream().allMatch(e -> e.getKey().framesOfType("reply").stream()
                        .map(f -> f.path("inReplyTo").asText()).collect(Collectors.toSet())
                        .containsAll(e.getValue().keySet())));
        await("pipeline and egress caught up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> probe.caughtUp("caravan-pipeline", "caravan.inbound")
                        && probe.caughtUp("caravan-egress", OUTBOUND));

        Map<String, List<String>> replyRecords = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : probe.readAll(OUTBOUND, Duration.ofSeconds(30))) {
            Envelope reply = EnvelopeCodec.decode(record.value());
            if (restTexts.containsKey(reply.inReplyTo())) {
                replyRecords.computeIfAbsent(reply.inReplyTo(), k -> new ArrayList<>()).add(reply.text());
            }
        }
        List<String> wrong = new ArrayList<>();
        int restShownNotFirst = 0;
        for (var e : restReplies.entrySet()) {
            List<String> records = replyRecords.getOrDefault(e.getKey(), List.of());
            if (!records.isEmpty() && !records.get(0).equals(e.getValue())) {
                restShownNotFirst++;
                wrong.add(e.getKey() + " shows '" + e.getValue() + "' of " + records);
            }
            if (!e.getValue().startsWith("echo: " + restTexts.get(e.getKey()) + " #")) {
                wrong.add(e.getKey() + "=" + e.getValue());
            }
        }
        if (!replyRecords.keySet().equals(restAccepted)) {
            wrong.add("reply records on " + OUTBOUND + " for " + replyRecords.size() + " of " + restAccepted.size()
                    + " accepted REST messages");
        }
        ClientTraffic.TelegramTally seen = ClientTraffic.TelegramTally.of(telegram, telegramPlan);
        wrong.addAll(seen.wrong());
        // each WebSocket chat: one reply per message, echoing it, in the order sent
        int webSocketLost = 0;
        int webSocketDoubled = 0;
        for (var e : webSocketPlan.entrySet()) {
            List<JsonNode> replies = e.getKey().framesOfType("reply");
            List<String> order = replies.stream().map(f -> f.path("inReplyTo").asText()).toList();
            for (var sent : e.getValue().entrySet()) {
                long n = order.stream().filter(sent.getKey()::equals).count();
                webSocketLost += n == 0 ? 1 : 0;
                webSocketDoubled += (int) Math.max(0, n - 1);
            }
            if (!order.equals(List.copyOf(e.getValue().keySet()))) {
                wrong.add("WebSocket replies out of order or doubled: " + order);
            }
            for (JsonNode reply : replies) {
                String text = e.getValue().get(reply.path("inReplyTo").asText());
                if (text != null && streamErrorsAllowed && "provider_error".equals(reply.path("error").asText())) {
                    // the stream broke after the client was shown part of it: no silent retry, a clear error
                    streamErrorReplies++;
                } else if (text == null || !reply.path("text").asText().startsWith("echo: " + text + " #")) {
                    wrong.add("WebSocket reply " + reply);
                }
            }
        }
        close();
        int duplicateRecords = replyRecords.values().stream().mapToInt(l -> l.size() - 1).sum();
        int accepted = accepted();
        int lost = restAccepted.size() - restReplies.size() + seen.lost() + webSocketLost;
        return new Tally(accepted, accepted - lost, lost, restShownNotFirst + seen.duplicated() + webSocketDoubled,
                duplicateRecords, wrong, answers());
    }

    private CompletableFuture<Void> paced() {
        return CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(pace.toMillis(), TimeUnit.MILLISECONDS));
    }

    private CompletableFuture<Void> post(String path, Map<String, String> headers, String body, int accepted,
            long deadline) {
        return ClientTraffic.postUntil(caravan.uri(path), headers, body, accepted, deadline,
                status -> statuses.computeIfAbsent(path + " " + status, k -> new AtomicInteger()).incrementAndGet());
    }

    private Optional<String> replyOf(String id) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(caravan.uri("/api/v1/messages/" + id))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode answer = JSON.readTree(r.body());
            return "replied".equals(answer.path("status").asText())
                    ? Optional.of(answer.path("reply").path("text").asText())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
