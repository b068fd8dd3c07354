package routes.channel.mqtt;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import routes.channel.Ingress;
import routes.channel.web.LimitsProperties;
import routes.envelope.Envelope;
import routes.pipeline.PipelineConstants;

/**
 * Devices' messages: {@code <prefix>/in/<deviceId>} → envelope → Kafka. A message is acknowledged to the broker
 * only once it is on Kafka; an invalid one is acknowledged and dead-lettered with the reason.
 *
 * <p>The route does not start with the context: the broker may be down when Caravan starts, and the gateway must
 * come up anyway. It is started in the background once the Camel context has started, and again with growing
 * pauses until the broker answers; after that Paho reconnects by itself.
 */
@Component
@ConditionalOnMqtt
public class MqttIngressRoutes extends RouteBuilder implements DisposableBean {

    /** The route id. */
    public static final String ROUTE_ID = "mqtt-ingress";

    private static final Logger LOG = LoggerFactory.getLogger(MqttIngressRoutes.class);
    private static final long MAX_START_DELAY_MS = 60_000;

    private final MqttEndpoints endpoints;
    private final MqttProperties properties;
    private final Ingress ingress;
    private final long maxTextBytes;
    private final ScheduledExecutorService starter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-mqtt-start");
        t.setDaemon(true);
        return t;
    });

    public MqttIngressRoutes(MqttEndpoints endpoints, MqttProperties properties, Ingress ingress,
            LimitsProperties limits) {
        this.endpoints = endpoints;
        this.properties = properties;
        this.ingress = ingress;
        this.maxTextBytes = limits.getMaxText().toBytes();
    }

    @Override
    public void configure() throws Exception {
        from(endpoints.inbound(getContext()))
                .routeId(ROUTE_ID)
                .routeConfigurationId(MqttIngressErrors.CONFIGURATION)
                .autoStartup(false)
                .process(this::toEnvelope)
                .to("direct:publish");
        getContext().addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // routes are not running yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                starter.execute(() -> tryStart(1_000));
            }
        });
    }

    private void toEnvelope(Exchange exchange) {
        var in = exchange.getMessage();
        byte[] payload = in.getBody(byte[].class);
        exchange.setProperty(PipelineConstants.RAW, payload);
        String topic = in.getHeader(PahoMqtt5Constants.MQTT_TOPIC, String.class);
        String propertyId = userProperty(in.getHeader(PahoMqtt5Constants.CAMEL_PAHO_MSG_PROPERTIES,
                org.eclipse.paho.mqttv5.common.packet.MqttProperties.class), MqttConstants.ID_PROPERTY);
        in.removeHeaders("*");
        Envelope envelope = ingress.prepare(MqttMessages.inbound(topic, properties.getTopicPrefix(), payload,
                propertyId, maxTextBytes));
        LOG.debug("MQTT message {} from device {} accepted", envelope.id(), envelope.chatId());
        in.setBody(envelope);
    }

    private static String userProperty(org.eclipse.paho.mqttv5.common.packet.MqttProperties mqtt, String name) {
        if (mqtt == null) {
            return null;
        }
        List<UserProperty> user = mqtt.getUserProperties();
        return user == null ? null : user.stream().filter(p -> name.equals(p.getKey())).map(UserProperty::getValue)
                .findFirst().orElse(null);
    }

    /** Starts the subscription, retrying with growing pauses while the broker cannot be reached. */
    private void tryStart(long nextDelayMs) {
        if (starter.isShutdown() || getContext().isStopping() || getContext().isStopped()) {
            return;
        }
        try {
            getContext().getRouteController().startRoute(ROUTE_ID);
            LOG.info("MQTT channel subscribed to {} at {}", properties.subscription(), properties.getBrokerUrl());
        } catch (Exception e) {
            LOG.warn("MQTT broker {} not reachable ({}); trying again in {} s", properties.getBrokerUrl(),
                    rootMessage(e), nextDelayMs / 1000);
            starter.schedule(() -> tryStart(Math.min(nextDelayMs * 2, MAX_START_DELAY_MS)), nextDelayMs,
                    TimeUnit.MILLISECONDS);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void destroy() {
        starter.shutdownNow();
    }
}
