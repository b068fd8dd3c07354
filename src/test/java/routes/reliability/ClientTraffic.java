package routes.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import routes.support.fakes.FakeTelegramServer;

/**
 * What the reliability suites send a child Caravan and how they judge what came back: REST messages and Telegram
 * webhook updates posted the way their senders would (again and again until accepted), and the Telegram chats
 * as the person sees them.
 */
final class ClientTraffic {

    static final String TELEGRAM_SECRET = "reliability-webhook-secret";

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private ClientTraffic() {
    }

    /**
     * Settings for a child that takes Telegram updates by webhook (replies to {@code telegram}, no streamed edits),
     * lets every sender talk, and has no per-sender or per-chat rate limits: the suites send faster than people.
     */
    static void configure(Map<String, String> config, FakeTelegramServer telegram) {
        config.put("caravan.access.default-policy", "open");
        config.put("caravan.limits.user-rate.permits", "0");
        config.put("caravan.limits.chat-rate.permits", "0");
        config.put("caravan.channels.telegram.token", FakeTelegramServer.TOKEN);
        config.put("caravan.channels.telegram.api-url", telegram.baseUrl());
        config.put("caravan.channels.telegram.mode", "webhook");
        config.put("caravan.channels.telegram.webhook-secret", TELEGRAM_SECRET);
        config.put("caravan.channels.telegram.webhook-url", "https://caravan.example.org/webhooks/telegram");
        config.put("caravan.channels.telegram.stream-edits", "false");
    }

    /** The headers of a signed Telegram webhook call. */
    static Map<String, String> telegramHeaders() {
        return Map.of("X-Telegram-Bot-Api-Secret-Token", TELEGRAM_SECRET);
    }

    /**
     * POSTs {@code body} until the answer is {@code accepted}, 250 ms after each other answer (or none: the process
     * is down or starting), as a REST client retrying with the same id or Telegram redelivering an update would.
     * Every answer's status (-1 for none) goes to {@code onAnswer}; fails on a 4xx or after {@code deadline}.
     */
    static CompletableFuture<Void> postUntil(URI uri, Map<String, String> headers, String body, int accepted,
            long deadline, IntConsumer onAnswer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(HttpResponse::statusCode)
                .exceptionally(e -> -1)
                .thenCompose(status -> {
                    onAnswer.accept(status);
                    if (status == accepted) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    if ((status >= 400 && status < 500) || System.nanoTime() > deadline) {
                        return CompletableFuture.<Void>failedFuture(
                                new AssertionError("POST " + uri.getPath() + " answered " + status));
                    }
                    return CompletableFuture.runAsync(() -> { },
                                    CompletableFuture.delayedExecutor(250, TimeUnit.MILLISECONDS))
                            .thenCompose(ignored -> postUntil(uri, headers, body, accepted, deadline, onAnswer));
                });
    }

    /**
     * What the Telegram users saw: for each chat of {@code plan} (chat id to the texts it sent, in order), the bot's
     * messages as last edited must be one echo of each text, in order.
     *
     * <p>{@code sentAgainAtAKill} lists the messages shown twice that the tally forgave: a repeat of the same reply
     * whose first sendMessage went out at a moment {@code forgive} accepts (just before a SIGKILL, when Telegram had
     * the message but the process died before it could record the delivery; the Bot API has no idempotency key to
     * prevent the second send). The repeat is left out before the counts and the order are judged.
     */
    record TelegramTally(int lost, int duplicated, List<String> wrong, List<String> sentAgainAtAKill) {

        static TelegramTally of(FakeTelegramServer telegram, Map<String, List<String>> plan) {
            return of(telegram, plan, at -> false);
        }

        static TelegramTally of(FakeTelegramServer telegram, Map<String, List<String>> plan,
                Predicate<Instant> forgive) {
            int lost = 0;
            int duplicated = 0;
            List<String> wrong = new ArrayList<>();
            List<String> forgiven = new ArrayList<>();
            for (var chat : plan.entrySet()) {
                List<String> sent = chat.getValue();
                List<String> shownAll = telegram.shown(chat.getKey());
                List<Instant> sentAt = telegram.sendAttempts(chat.getKey()).stream()
                        .filter(call -> call.status() == 200).map(FakeTelegramServer.Call::at).toList();
                List<String> shown = new ArrayList<>();
                Map<String, Instant> firstSent = new HashMap<>();
                for (int i = 0; i < shownAll.size(); i++) {
                    String text = shownAll.get(i);
                    Instant first = text == null ? null : firstSent.get(text);
                    if (first != null && forgive.test(first)) {
                        forgiven.add(chat.getKey() + ": '" + text + "' first sent at " + first);
                        continue;
                    }
                    if (text != null && i < sentAt.size()) {
                        firstSent.putIfAbsent(text, sentAt.get(i));
                    }
                    shown.add(text);
                }
                duplicated += Math.max(0, shown.size() - sent.size());
                lost += Math.max(0, sent.size() - shown.size());
                for (int i = 0; i < Math.min(sent.size(), shown.size()); i++) {
                    if (shown.get(i) == null || !shown.get(i).startsWith("echo: " + sent.get(i) + " #")) {
                        wrong.add(chat.getKey() + ": " + shownAll);
                        break;
                    }
                }
            }
            return new TelegramTally(lost, duplicated, wrong, forgiven);
        }
    }
}
