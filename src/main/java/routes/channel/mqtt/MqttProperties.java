package routes.channel.mqtt;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The MQTT channel ({@code caravan.channels.mqtt.*}): devices publish to {@code <topic-prefix>/in/<deviceId>} and
 * get replies on {@code <topic-prefix>/out/<deviceId>}. The channel is on when {@code broker-url} is set. The
 * password never appears in {@link #toString()}.
 */
@ConfigurationProperties("caravan.channels.mqtt")
public class MqttProperties {

    /** MQTT 5 broker, e.g. tcp://broker:1883 or ssl://broker:8883 (CARAVAN_CHANNELS_MQTT_BROKER_URL). */
    private String brokerUrl = "";

    /** User name for the broker; empty = none. */
    private String username = "";

    /** Password for the broker (CARAVAN_CHANNELS_MQTT_PASSWORD). Secret. */
    private String password = "";

    /** Client id prefix; "-in" and "-out" are appended. Empty = caravan-<instance id>. Unique per instance. */
    private String clientId = "";

    /** QoS of the subscription and of the replies: 0, 1 or 2. */
    private int qos = 1;

    /** First level of the device topics. */
    private String topicPrefix = "caravan";

    /**
     * Shared-subscription group: instances in one group split the devices' messages between them instead of each
     * getting every one ({@code $share/<group>/…}, MQTT 5). Empty = a plain subscription (one instance only).
     */
    private String shareGroup = "caravan";

    /** How long the broker keeps the gateway's session (and queues QoS 1/2 messages) while it is away. */
    private Duration sessionExpiry = Duration.ofHours(1);

    /** Longest wait to connect to the broker. */
    private Duration connectTimeout = Duration.ofSeconds(10);

    public String getBrokerUrl() { return brokerUrl; }
    public void setBrokerUrl(String v) { brokerUrl = v == null ? "" : v.trim(); }
    public String getUsername() { return username; }
    public void setUsername(String v) { username = v == null ? "" : v.trim(); }
    public String getPassword() { return password; }
    public void setPassword(String v) { password = v == null ? "" : v; }
    public String getClientId() { return clientId; }
    public void setClientId(String v) { clientId = v == null ? "" : v.trim(); }
    public int getQos() { return qos; }
    public void setQos(int v) {
        if (v < 0 || v > 2) {
            throw new IllegalArgumentException("caravan.channels.mqtt.qos must be 0, 1 or 2");
        }
        qos = v;
    }
    public String getTopicPrefix() { return topicPrefix; }
    public void setTopicPrefix(String v) { topicPrefix = v == null ? "" : v.trim().replaceAll("^/+|/+$", ""); }
    public String getShareGroup() { return shareGroup; }
    public void setShareGroup(String v) { shareGroup = v == null ? "" : v.trim(); }
    public Duration getSessionExpiry() { return sessionExpiry; }
    public void setSessionExpiry(Duration v) { sessionExpiry = v; }
    public Duration getConnectTimeout() { return connectTimeout; }
    public void setConnectTimeout(Duration v) { connectTimeout = v; }

    /** The topic devices publish to: {@code <prefix>/in/<deviceId>}. */
    public String inboundTopic(String deviceId) {
        return topicPrefix + "/in/" + deviceId;
    }

    /** The topic a device's replies go to: {@code <prefix>/out/<deviceId>}. */
    public String outboundTopic(String deviceId) {
        return topicPrefix + "/out/" + deviceId;
    }

    /** What the gateway subscribes to: every device's inbound topic, shared within the group when one is set. */
    public String subscription() {
        String filter = topicPrefix + "/in/+";
        return shareGroup.isEmpty() ? filter : "$share/" + shareGroup + "/" + filter;
    }

    @Override
    public String toString() {
        return "MqttProperties[brokerUrl=" + brokerUrl + ", username=" + username + ", password="
                + (password.isEmpty() ? "<unset>" : "****") + ", clientId=" + clientId + ", qos=" + qos
                + ", topicPrefix=" + topicPrefix + ", shareGroup=" + shareGroup + ", sessionExpiry=" + sessionExpiry
                + ", connectTimeout=" + connectTimeout + "]";
    }
}
