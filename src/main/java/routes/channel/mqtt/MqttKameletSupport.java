package routes.channel.mqtt;

import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.EnvelopeException;
import routes.envelope.Ids;
import routes.envelope.Priority;

/**
 * The mapping steps of {@code kamelets/mqtt-source.kamelet.yaml} and {@code mqtt-sink.kamelet.yaml}, the same as
 * the gateway's own MQTT routes use ({@link MqttMessages}).
 */
public class MqttKameletSupport {

    private String topicPrefix = "caravan";
    private long maxTextBytes = 32 * 1024;

    public void setTopicPrefix(String v) {
        topicPrefix = v == null || v.isBlank() ? "caravan" : v.trim().replaceAll("^/+|/+$", "");
    }

    public void setMaxTextBytes(long v) {
        maxTextBytes = v;
    }

    /**
     * A device's message in the body becomes the envelope JSON.
     *
     * @throws InvalidMqttMessageException for a message Caravan cannot take
     */
    public void toEnvelope(Exchange exchange) {
        var in = exchange.getMessage();
        String topic = in.getHeader(PahoMqtt5Constants.MQTT_TOPIC, String.class);
        byte[] payload = in.getBody(byte[].class);
        in.removeHeaders("*");
        Envelope.Builder builder = MqttMessages.inbound(topic, topicPrefix, payload, null, maxTextBytes);
        Envelope draft = builder.build();
        in.setBody(EnvelopeCodec.encodeToString(builder
                .id(draft.id() != null ? draft.id() : Ids.newId())
                .traceId(Ids.newTraceId())
                .receivedAt(Instant.now())
                .priority(Priority.REALTIME)
                .build()));
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
    }

    /** A reply envelope (JSON or object) in the body becomes the device's payload and its topic. */
    public void toPayload(Exchange exchange) {
        var in = exchange.getMessage();
        Object body = in.getBody();
        Envelope reply = body instanceof Envelope e ? e : EnvelopeCodec.decode(in.getBody(byte[].class));
        if (!MqttMessages.validDeviceId(reply.chatId())) {
            throw new EnvelopeException("an MQTT reply's chatId is not a device id");
        }
        in.removeHeaders("*");
        in.setBody(MqttMessages.outbound(reply));
        in.setHeader(PahoMqtt5Constants.CAMEL_PAHO_OVERRIDE_TOPIC, topicPrefix + "/out/" + reply.chatId());
    }
}
