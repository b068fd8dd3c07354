package routes.channel.telegram;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import routes.channel.GroupPolicy;
import routes.envelope.EnvelopeCodec;

/** Any JSON update Telegram (or someone else) sends: mapped, ignored or refused with its own exception. */
class TelegramUpdateMapperFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyUpdateIsMappedIgnoredOrRefused(FuzzedDataProvider data) {
        GroupPolicy policy = data.pickValue(GroupPolicy.values());
        JsonNode update;
        try {
            update = EnvelopeCodec.mapper().readTree(data.consumeRemainingAsBytes());
        } catch (java.io.IOException notJson) {
            return; // the webhook answers 400 before the mapper
        }
        if (update == null) {
            return;
        }
        try {
            TelegramUpdateMapper.map(update, "4242", "caravan_bot", policy);
        } catch (TelegramWebhookException refused) {
            // a 4xx with its reason
        }
    }
}
