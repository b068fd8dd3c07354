package routes.channel.mqtt;

/** Names the MQTT channel shares between its ingress, egress and tests. */
public final class MqttConstants {

    /** The channel name in envelopes and topic names. */
    public static final String CHANNEL = "mqtt";
    /** Metadata: the topic a message arrived on. */
    public static final String META_TOPIC = "mqttTopic";
    /** MQTT 5 user property a device may set to name its message (instead of a JSON id). */
    public static final String ID_PROPERTY = "id";
    /** Longest device id and message id accepted. */
    public static final int MAX_ID_LENGTH = 200;

    private MqttConstants() {
    }
}
