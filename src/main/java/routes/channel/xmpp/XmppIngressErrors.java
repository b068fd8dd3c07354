package routes.channel.xmpp;

import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;

/**
 * Error handling of the XMPP ingress ({@code routeConfiguration("xmpp-ingress")}): a message that cannot be put on
 * Kafka is tried a few more times. XMPP has no acknowledgement a sender would retry on, so after that the failure
 * is logged by the consumer (with the exchange id, not the text).
 */
@Component
@ConditionalOnXmpp
public class XmppIngressErrors extends RouteConfigurationBuilder {

    /** The route configuration id the ingress route opts into. */
    public static final String CONFIGURATION = "xmpp-ingress";

    @Override
    public void configuration() {
        routeConfiguration(CONFIGURATION)
                .onException(Exception.class)
                    .maximumRedeliveries(3)
                    .redeliveryDelay(500)
                    .useExponentialBackOff()
                    .handled(false)
                .end();
    }
}
