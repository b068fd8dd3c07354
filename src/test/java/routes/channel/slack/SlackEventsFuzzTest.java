package routes.channel.slack;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import routes.channel.GroupPolicy;

/** Any Slack request: read or refused with {@link SlackWebhookException}; the signature check likewise. */
class SlackEventsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBodyIsReadOrRefused(FuzzedDataProvider data) {
        GroupPolicy policy = data.pickValue(GroupPolicy.values());
        String retry = data.consumeBoolean() ? data.consumeString(8) : null;
        try {
            SlackEvents.read(data.consumeRemainingAsBytes(), policy, "UBOT", retry);
        } catch (SlackWebhookException refused) {
            // a 4xx with its reason
        }
    }

    @FuzzTest(maxDuration = "60s")
    void anySignatureIsCheckedOrRefused(FuzzedDataProvider data) {
        String timestamp = data.consumeString(24);
        String signature = data.consumeString(80);
        try {
            SlackEvents.verify("signing-secret", timestamp, signature, data.consumeRemainingAsBytes(),
                    Instant.now(), java.time.Duration.ofMinutes(5));
        } catch (SlackWebhookException refused) {
            // a 401 with its reason
        }
    }
}
