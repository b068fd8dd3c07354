package routes.channel.mqtt;

import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import routes.channel.EgressErrorHandling;
import routes.channel.EgressSupport;
import routes.channel.PlatformException;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeException;
import routes.pipeline.PipelineErrorHandling;

/**
 * Replies from {@code caravan.outbound.mqtt} to {@code <prefix>/out/<deviceId>}. A reply record seen twice is
 * published once. A broker that cannot be reached (or refuses the publish) is retried with backoff like a
 * platform's 5xx ({@code routeConfiguration("egress")}); the topic is built from configuration and a device id
 * that was checked to be one topic level.
 */
@Component
@ConditionalOnMqtt
public class MqttEgressRoutes extends RouteBuilder implements DisposableBean {

    private final EgressSupport egress;
    private final IdempotentRepository deliveries;
    private final MqttEndpoints endpoints;
    private final MqttProperties properties;
    private PahoMqtt5Endpoint out;
    private Producer producer;

    public MqttEgressRoutes(EgressSupport egress, @Qualifier("deliveryRepository") IdempotentRepository deliveries,
            MqttEndpoints endpoints, MqttProperties properties) {
        this.egress = egress;
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.properties = properties;
    }

    @Override
    public void configure() {
        out = endpoints.outbound(getContext());
        from(egress.consumerUri(MqttConstants.CHANNEL))
                .routeId("mqtt-egress")
                .routeConfigurationId("egress")
                .process(PipelineErrorHandling::captureSource)
                .process(EgressSupport::decodeReply)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(this::publish)
                .end();
    }

    private void publish(Exchange exchange) {
        Envelope reply = exchange.getMessage().getBody(Envelope.class);
        if (!MqttMessages.validDeviceId(reply.chatId())) {
            throw new EnvelopeException("an MQTT reply's chatId is not a device id");
        }
        var message = exchange.getMessage();
        message.setBody(MqttMessages.outbound(reply));
        message.setHeader(PahoMqtt5Constants.CAMEL_PAHO_OVERRIDE_TOPIC, properties.outboundTopic(reply.chatId()));
        try {
            producer().process(exchange);
        } catch (Exception e) {
            throw EgressErrorHandling.fail(exchange, unreachable(e));
        } finally {
            message.removeHeader(PahoMqtt5Constants.CAMEL_PAHO_OVERRIDE_TOPIC);
            message.setBody(reply);
        }
    }

    /**
     * The publishing client, connected on first use rather than at start-up, so a broker that is down when
     * Caravan starts delays replies (retried) instead of stopping the gateway.
     */
    private synchronized Producer producer() throws Exception {
        if (producer == null) {
            Producer created = out.createProducer();
            try {
                ServiceHelper.startService(created);
            } catch (RuntimeException e) {
                ServiceHelper.stopAndShutdownService(created);
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    @Override
    public synchronized void destroy() {
        ServiceHelper.stopAndShutdownService(producer);
        producer = null;
    }

    private static PlatformException unreachable(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return new PlatformException(MqttConstants.CHANNEL, 0, "publish failed: " + t.getClass().getSimpleName()
                + ": " + t.getMessage(), null);
    }
}
