package routes.channel.feishu;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import routes.channel.EgressSupport;
import routes.channel.RedisRateLimiter;
import routes.pipeline.PipelineErrorHandling;

/**
 * Delivers replies from {@code caravan.outbound.feishu} through the IM API. A reply record seen twice is delivered
 * once; 429 and Feishu's 5xx are retried with backoff (waiting what Feishu asked), other refusals go to the DLQ
 * with the reason ({@code routeConfiguration("egress")}).
 */
@Component
@ConditionalOnFeishu
public class FeishuEgressRoutes extends RouteBuilder {

    private final EgressSupport egress;
    private final IdempotentRepository deliveries;
    private final FeishuSender sender;

    public FeishuEgressRoutes(EgressSupport egress, @Qualifier("deliveryRepository") IdempotentRepository deliveries,
            FeishuApi api, FeishuProperties properties, RedisRateLimiter limiter) {
        this.egress = egress;
        this.deliveries = deliveries;
        this.sender = new FeishuSender(api, properties.getChunkSize(), limiter);
    }

    @Override
    public void configure() {
        from(egress.consumerUri(FeishuConstants.CHANNEL))
                .routeId("feishu-egress")
                .routeConfigurationId("egress")
                .process(PipelineErrorHandling::captureSource)
                .process(EgressSupport::decodeReply)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(sender)
                .end();
    }
}
