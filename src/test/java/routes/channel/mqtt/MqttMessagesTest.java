package routes.channel.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/** Mapping between device payloads and envelopes, without a broker. */
class MqttMessagesTest {

    private static Envelope in(String topic, String payload, String propertyId) {
        return MqttMessages.inbound(topic, "caravan", payload.getBytes(StandardCharsets.UTF_8), propertyId, 100)
                .build();
    }

    private static void invalid(String topic, byte[] payload, String reason) {
        assertThatThrownBy(() -> MqttMessages.inbound(topic, "caravan", payload, null, 100))
                .isInstanceOf(InvalidMqttMessageException.class).hasMessageContaining(reason);
    }

    @Test
    void plainTextNamesNoId() {
        Envelope e = in("caravan/in/lamp-1", "  turn on the light ", null);
        assertThat(e.channel()).isEqualTo("mqtt");
        assertThat(e.chatId()).isEqualTo("lamp-1");
        assertThat(e.senderId()).isEqualTo("lamp-1");
        assertThat(e.chatType()).isEqualTo(ChatType.DIRECT);
        assertThat(e.text()).isEqualTo("turn on the light");
        assertThat(e.id()).isNull();
        assertThat(e.meta(MqttConstants.META_TOPIC)).isEqualTo("caravan/in/lamp-1");
    }

    @Test
    void jsonCarriesTextAndId() {
        Envelope e = in("caravan/in/lamp-1", "{\"text\":\"hi\",\"id\":\"m-7\"}", "ignored-when-json-has-one");
        assertThat(e.text()).isEqualTo("hi");
        assertThat(e.id()).isEqualTo("m-7");
        assertThat(in("caravan/in/lamp-1", "{\"text\":\"hi\",\"id\":42}", null).id()).isEqualTo("42");
        assertThat(in("caravan/in/lamp-1", "{\"text\":\"hi\"}", "prop-1").id()).isEqualTo("prop-1");
        assertThat(in("caravan/in/lamp-1", "hello", "prop-2").id()).isEqualTo("prop-2");
    }

    @Test
    void invalidMessagesAreNamed() {
        invalid("caravan/in/lamp-1", new byte[0], "empty");
        invalid("caravan/in/lamp-1", "   ".getBytes(StandardCharsets.UTF_8), "no text");
        invalid("caravan/in/lamp-1", new byte[] {(byte) 0xC3, (byte) 0x28}, "UTF-8");
        invalid("caravan/in/lamp-1", "{\"text\":".getBytes(StandardCharsets.UTF_8), "not valid JSON");
        invalid("caravan/in/lamp-1", "{\"message\":\"hi\"}".getBytes(StandardCharsets.UTF_8), "text");
        invalid("caravan/in/lamp-1", "{\"text\":\"hi\",\"id\":{}}".getBytes(StandardCharsets.UTF_8), "id");
        invalid("caravan/in/lamp-1", ("{\"text\":\"hi\",\"id\":\"" + "x".repeat(201) + "\"}")
                .getBytes(StandardCharsets.UTF_8), "id");
        invalid("caravan/in/lamp-1", "x".repeat(101).getBytes(StandardCharsets.UTF_8), "longer");
        invalid("caravan/in/a/b", "hi".getBytes(StandardCharsets.UTF_8), "device id");
        invalid("other/in/lamp-1", "hi".getBytes(StandardCharsets.UTF_8), "topic");
        invalid(null, "hi".getBytes(StandardCharsets.UTF_8), "topic");
    }

    @Test
    void repliesAreJson() throws Exception {
        Envelope reply = Envelope.builder().id("m-7:reply").inReplyTo("m-7").channel("mqtt").chatId("lamp-1")
                .text("done").build();
        var json = new ObjectMapper().readTree(MqttMessages.outbound(reply));
        assertThat(json.path("id").asText()).isEqualTo("m-7:reply");
        assertThat(json.path("inReplyTo").asText()).isEqualTo("m-7");
        assertThat(json.path("text").asText()).isEqualTo("done");
        assertThat(json.has("error")).isFalse();
        assertThat(new ObjectMapper().readTree(MqttMessages.outbound(reply.toBuilder().meta("error", "timeout")
                .build())).path("error").asText()).isEqualTo("timeout");
    }

    @Test
    void deviceIdsMustBeOneTopicLevel() {
        assertThat(MqttMessages.validDeviceId("lamp-1")).isTrue();
        assertThat(MqttMessages.validDeviceId("a/b")).isFalse();
        assertThat(MqttMessages.validDeviceId("+")).isFalse();
        assertThat(MqttMessages.validDeviceId("#")).isFalse();
        assertThat(MqttMessages.validDeviceId("")).isFalse();
        assertThat(MqttMessages.validDeviceId(null)).isFalse();
    }
}
