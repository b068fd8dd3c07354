package routes.channel.feishu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import routes.channel.PlatformException;
import routes.support.fakes.FakeFeishuServer;

/** The Open API client against a real fake Feishu on loopback, with a clock the test moves. */
class FeishuApiTest {

    private FakeFeishuServer feishu;
    private MovableClock clock;
    private FeishuApi api;

    @BeforeEach
    void start() {
        feishu = new FakeFeishuServer();
        clock = new MovableClock(Instant.parse("2026-03-01T10:00:00Z"));
        api = new FeishuApi(properties(feishu.apiUrl()), clock);
    }

    @AfterEach
    void stop() {
        feishu.close();
    }

    private static FeishuProperties properties(String apiUrl) {
        FeishuProperties p = new FeishuProperties();
        p.setAppId(FakeFeishuServer.APP_ID);
        p.setAppSecret(FakeFeishuServer.APP_SECRET);
        p.setApiUrl(apiUrl + "/");
        p.setTimeout(Duration.ofSeconds(5));
        return p;
    }

    private String send(String chat, String text) {
        return api.sendText(chat, text, null).join();
    }

    @Test
    void oneTokenServesManyMessagesUntilItIsAboutToExpire() {
        send("oc_1", "one");
        send("oc_1", "two");
        List<CompletableFuture<String>> parallel = IntStream.range(0, 10)
                .mapToObj(i -> api.sendText("oc_2", "p" + i, null)).toList();
        parallel.forEach(CompletableFuture::join);
        assertThat(feishu.tokensIssued()).isEqualTo(1);
        assertThat(feishu.sent()).hasSize(12).allSatisfy(s -> assertThat(s.token()).isEqualTo("t-1"));

        clock.advance(Duration.ofSeconds(7200).minus(FeishuApi.RENEW_BEFORE).minusSeconds(1));
        send("oc_1", "still the first token");
        assertThat(feishu.tokensIssued()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        send("oc_1", "renewed");
        assertThat(feishu.tokensIssued()).isEqualTo(2);
        assertThat(feishu.sent().get(feishu.sent().size() - 1).token()).isEqualTo("t-2");
    }

    @Test
    void concurrentCallersShareOneTokenFetch() {
        List<CompletableFuture<String>> calls = IntStream.range(0, 20)
                .mapToObj(i -> api.sendText("oc_c", "c" + i, null)).toList();
        calls.forEach(CompletableFuture::join);
        assertThat(feishu.tokensIssued()).isEqualTo(1);
    }

    @Test
    void aRejectedTokenIsRenewedOnceAndTheCallRepeated() {
        send("oc_1", "first");
        feishu.revokeTokens();
        send("oc_1", "after revocation");
        assertThat(feishu.tokensIssued()).isEqualTo(2);
        assertThat(feishu.sent()).extracting(FakeFeishuServer.Sent::token).containsExactly("t-1", "t-2");
    }

    @Test
    void aTokenRejectedTwiceIsARefusal() {
        send("oc_1", "first");
        feishu.revokeTokens();
        feishu.failNext(2, 400, 99991663, Map.of());
        // the scripted failures answer the message call whatever the token: renewal does not help
        PlatformException failure = failure(api.sendText("oc_1", "x", null));
        assertThat(failure.status()).isEqualTo(401);
        assertThat(failure.retriable()).isFalse();
        assertThat(failure.getMessage()).doesNotContain("t-1", "t-2", FakeFeishuServer.APP_SECRET);
    }

    @Test
    void rateLimitsAndServerErrorsAreRetriableWithTheWaitFeishuNamed() {
        feishu.failNext(1, 429, 99991400, Map.of("x-ogw-ratelimit-reset", "7"));
        PlatformException limited = failure(api.sendText("oc_1", "x", null));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.retriable()).isTrue();
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(7));

        feishu.failNext(1, 400, 230020, Map.of());
        assertThat(failure(api.sendText("oc_1", "x", null)).status()).isEqualTo(429);

        feishu.failNext(1, 503, 1500, Map.of("Retry-After", "2"));
        PlatformException down = failure(api.sendText("oc_1", "x", null));
        assertThat(down.retriable()).isTrue();
        assertThat(down.retryAfter()).isEqualTo(Duration.ofSeconds(2));

        feishu.failNext(1, 400, 230002, Map.of());
        PlatformException refused = failure(api.sendText("oc_1", "x", null));
        assertThat(refused.retriable()).isFalse();
        assertThat(refused.getMessage()).contains("230002");
    }

    @Test
    void anUnreachableFeishuIsRetriable() {
        feishu.close();
        PlatformException failure = failure(api.sendText("oc_1", "x", null));
        assertThat(failure.status()).isZero();
        assertThat(failure.retriable()).isTrue();
    }

    @Test
    void wrongAppCredentialsAreARefusal() {
        FeishuProperties p = properties(feishu.apiUrl());
        p.setAppSecret("wrong");
        PlatformException failure = failure(new FeishuApi(p, clock).sendText("oc_1", "x", null));
        assertThat(failure.retriable()).isFalse();
        assertThat(failure.getMessage()).doesNotContain("wrong");
    }

    @Test
    void theSameUuidSendsOnce() {
        api.sendText("oc_u", "once", "uuid-1").join();
        api.sendText("oc_u", "once", "uuid-1").join();
        assertThat(feishu.sentTo("oc_u")).hasSize(1);
    }

    @Test
    void theBotsOpenIdIsLearnedInTheBackground() {
        assertThat(api.botOpenId()).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> FakeFeishuServer.BOT_OPEN_ID.equals(api.botOpenId()));
    }

    private static PlatformException failure(CompletableFuture<?> call) {
        Throwable thrown = FeishuApi.unwrap(catchThrowable(call::join));
        assertThat(thrown).isInstanceOf(PlatformException.class);
        return (PlatformException) thrown;
    }

    /** A clock the test moves forward. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
