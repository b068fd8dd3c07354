package routes.channel.mqtt;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** Any MQTT topic and payload: a message, or refused with {@link InvalidMqttMessageException}. */
class MqttMessagesFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyPublishIsReadOrRefused(FuzzedDataProvider data) {
        String topic = data.consumeBoolean() ? "caravan/in/" + data.consumeString(70) : data.consumeString(90);
        String propertyId = data.consumeBoolean() ? null : data.consumeString(80);
        try {
            MqttMessages.inbound(topic, "caravan", data.consumeRemainingAsBytes(), propertyId, 32 * 1024);
        } catch (InvalidMqttMessageException refused) {
            // dead-lettered with its reason
        }
    }
}
