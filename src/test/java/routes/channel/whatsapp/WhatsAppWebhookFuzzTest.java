package routes.channel.whatsapp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** Any WhatsApp webhook body and signature header: read, or refused with {@link WhatsAppWebhookException}. */
class WhatsAppWebhookFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBodyIsReadOrRefused(byte[] body) {
        try {
            WhatsAppWebhook.read(body);
        } catch (WhatsAppWebhookException refused) {
            // a 4xx with its reason
        }
    }

    @FuzzTest(maxDuration = "60s")
    void anySignatureIsCheckedOrRefused(FuzzedDataProvider data) {
        String header = data.consumeBoolean() ? null : data.consumeString(90);
        try {
            WhatsAppWebhook.verifySignature("app-secret", header, data.consumeRemainingAsBytes());
        } catch (WhatsAppWebhookException refused) {
            // a 401 with its reason
        }
    }
}
