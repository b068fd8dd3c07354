package routes.channel.feishu;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;

/** Any Feishu request, plain or encrypted: an outcome (accept, ignore, challenge, reject), never an exception. */
class FeishuWebhookFuzzTest {

    private static FeishuWebhook webhook(boolean encrypted) {
        FeishuProperties properties = new FeishuProperties();
        properties.setAppId("cli_fuzz");
        properties.setVerificationToken("verification-token");
        properties.setEncryptKey(encrypted ? "encrypt-key" : "");
        return new FeishuWebhook(properties, 32 * 1024, () -> "ou_bot", Clock.systemUTC());
    }

    @FuzzTest(maxDuration = "60s")
    void anyRequestHasAnOutcome(FuzzedDataProvider data) {
        boolean encrypted = data.consumeBoolean();
        String timestamp = data.consumeString(20);
        String nonce = data.consumeString(20);
        String signature = data.consumeString(70);
        FeishuWebhook.Outcome outcome = webhook(encrypted).handle(new FeishuWebhook.Request(
                data.consumeRemainingAsBytes(), timestamp, nonce, signature));
        assertThat(outcome).isNotNull();
    }
}
