package routes.channel.mqtt;

import org.apache.camel.CamelContext;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Component;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Configuration;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Persistence;
import org.springframework.stereotype.Component;
import routes.infra.InstanceIdentity;

/**
 * The camel-paho-mqtt5 endpoints of the channel, built from {@link MqttProperties} rather than from a URI: the
 * subscription ({@code $share/…/+}) holds characters a URI would mangle, and the password stays out of URIs
 * (which Camel shows in logs and JMX).
 *
 * <ul>
 *   <li>In: a persistent session (clean start off, session expiry) so QoS 1/2 messages sent while the gateway
 *       was away are delivered when it is back; acknowledged only once the message is on Kafka.</li>
 *   <li>Out: a second client that publishes replies; the topic comes from a header Caravan sets.</li>
 * </ul>
 */
@Component
@ConditionalOnMqtt
public class MqttEndpoints {

    private final MqttProperties properties;
    private final String clientIdBase;

    public MqttEndpoints(MqttProperties properties, InstanceIdentity identity) {
        this.properties = properties;
        this.clientIdBase = properties.getClientId().isEmpty() ? "caravan-" + identity.id() : properties.getClientId();
    }

    /** The subscribing endpoint. */
    public PahoMqtt5Endpoint inbound(CamelContext context) {
        PahoMqtt5Configuration c = base("-in");
        c.setCleanStart(false);
        c.setSessionExpiryInterval(properties.getSessionExpiry().toSeconds());
        c.setManualAcksEnabled(true);
        return new PahoMqtt5Endpoint("paho-mqtt5:caravan-mqtt-in", properties.subscription(), component(context), c);
    }

    /** The publishing endpoint; its topic is replaced per reply. */
    public PahoMqtt5Endpoint outbound(CamelContext context) {
        PahoMqtt5Configuration c = base("-out");
        c.setCleanStart(true);
        return new PahoMqtt5Endpoint("paho-mqtt5:caravan-mqtt-out", properties.getTopicPrefix() + "/out",
                component(context), c);
    }

    private PahoMqtt5Configuration base(String suffix) {
        PahoMqtt5Configuration c = new PahoMqtt5Configuration();
        c.setBrokerUrl(properties.getBrokerUrl());
        c.setClientId(clientIdBase + suffix);
        c.setQos(properties.getQos());
        c.setRetained(false);
        c.setPersistence(PahoMqtt5Persistence.MEMORY);
        c.setAutomaticReconnect(true);
        c.setMaxReconnectDelay(30_000);
        c.setConnectionTimeout((int) Math.max(1, properties.getConnectTimeout().toSeconds()));
        if (!properties.getUsername().isEmpty()) {
            c.setUserName(properties.getUsername());
        }
        if (!properties.getPassword().isEmpty()) {
            c.setPassword(properties.getPassword());
        }
        return c;
    }

    private static PahoMqtt5Component component(CamelContext context) {
        return context.getComponent("paho-mqtt5", PahoMqtt5Component.class);
    }
}
