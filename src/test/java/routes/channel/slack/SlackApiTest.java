package routes.channel.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import routes.channel.PlatformException;

/** How Slack's answers map to delivered, retriable and refused. */
class SlackApiTest {

    @Test
    void okAnswerGivesTheMessageTs() {
        assertThat(SlackApi.outcome(200, "{\"ok\":true,\"channel\":\"C1\",\"ts\":\"1.5\"}", null)).isEqualTo("1.5");
    }

    @Test
    void http429IsRetriableAndCarriesRetryAfter() {
        assertThatThrownBy(() -> SlackApi.outcome(429, "", "7"))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.retriable()).isTrue();
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
                });
    }

    @Test
    void okFalseIsRefusedForGoodExceptRateLimitsAndSlacksOwnTrouble() {
        assertThatThrownBy(() -> SlackApi.outcome(200, "{\"ok\":false,\"error\":\"invalid_auth\"}", null))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.getMessage()).contains("invalid_auth");
                });
        assertThatThrownBy(() -> SlackApi.outcome(200, "{\"ok\":false,\"error\":\"ratelimited\"}", "2"))
                .isInstanceOfSatisfying(PlatformException.class, e -> assertThat(e.retriable()).isTrue());
        assertThatThrownBy(() -> SlackApi.outcome(200, "{\"ok\":false,\"error\":\"internal_error\"}", null))
                .isInstanceOfSatisfying(PlatformException.class, e -> assertThat(e.retriable()).isTrue());
    }

    @Test
    void serverErrorsAndGarbageAreRetriable() {
        assertThatThrownBy(() -> SlackApi.outcome(503, "<html>", null))
                .isInstanceOfSatisfying(PlatformException.class, e -> assertThat(e.retriable()).isTrue());
        assertThatThrownBy(() -> SlackApi.outcome(200, "<html>", null))
                .isInstanceOfSatisfying(PlatformException.class, e -> assertThat(e.retriable()).isTrue());
        assertThatThrownBy(() -> SlackApi.outcome(404, "", null))
                .isInstanceOfSatisfying(PlatformException.class, e -> assertThat(e.retriable()).isFalse());
    }

    @Test
    void retryAfterThatIsNotSecondsIsIgnored() {
        assertThat(SlackApi.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isNull();
        assertThat(SlackApi.retryAfter("-1")).isNull();
        assertThat(SlackApi.retryAfter(null)).isNull();
    }
}
