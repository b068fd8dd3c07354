package routes.channel.mqtt;

import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;

/**
 * Error handling of the MQTT ingress ({@code routeConfiguration("mqtt-ingress")}).
 *
 * <ul>
 *   <li>An invalid message is the device's fault: it is acknowledged (handled) and goes to the DLQ with the
 *       reason, so the broker does not deliver it again.</li>
 *   <li>Anything else (Kafka unreachable) is tried a few times; then the message stays unacknowledged and the
 *       broker delivers it again when the session reconnects.</li>
 * </ul>
 */
@Component
@ConditionalOnMqtt
public class MqttIngressErrors extends RouteConfigurationBuilder {

    /** The route configuration id the ingress route opts into. */
    public static final String CONFIGURATION = "mqtt-ingress";

    @Override
    public void configuration() {
        routeConfiguration(CONFIGURATION)
                .onException(InvalidMqttMessageException.class)
                    .handled(true)
                    .to("direct:dlq")
                .end()
                .onException(Exception.class)
                    .maximumRedeliveries(3)
                    .redeliveryDelay(500)
                    .useExponentialBackOff()
                    .handled(false)
                .end();
    }
}
