package routes.channel.telegram;

import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Polling mode: long polling of getUpdates on exactly one instance of the cluster.
 *
 * <p>The poll route's consumer is a {@code master:} endpoint: the Camel cluster service (a file lock under
 * {@code camel.cluster.file.root}, or another cluster service when one is configured) elects one leader per bot,
 * and only the leader's timer runs. Two pollers on one token would make Telegram answer 409 Conflict.
 *
 * <p>The timer is synchronous and the poll blocks its one thread: one getUpdates call at a time, its updates
 * published in order, each one before the offset moves past it. A publish that fails is retried (backing off up
 * to 30 s) until Kafka takes it: polling pauses rather than losing an update.
 *
 * <p>camel-telegram's own consumer is not used: it hands the route only the message (the update_id, our dedupe
 * key, is dropped), its model has no {@code reply_to_message} (needed to see replies to the bot), and a failed
 * poll's exception message holds the token (it would be logged and shown by health checks).
 */
@Component
@ConditionalOnExpression(TelegramConfig.ENABLED)
@ConditionalOnProperty(name = "caravan.channels.telegram.mode", havingValue = "polling", matchIfMissing = true)
public class TelegramPollingRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(TelegramPollingRoutes.class);

    private final TelegramPoller poller;
    private final String namespace;

    public TelegramPollingRoutes(TelegramBotApi api, TelegramProperties properties,
            ObjectProvider<CamelClusterService> clusterServices,
            @Value("${caravan.storage.path:./data}") String storagePath) {
        TelegramConfig.validate(properties);
        this.poller = new TelegramPoller(api, properties);
        this.namespace = "telegram-" + properties.botId();
        CamelClusterService cluster = clusterServices.getIfAvailable();
        if (cluster == null) {
            throw new IllegalStateException("Telegram polling needs a Camel cluster service to elect the one "
                    + "poller: enable camel.cluster.file (camel-file-cluster-service-starter)");
        }
        if (cluster instanceof FileLockClusterService files && (files.getRoot() == null || files.getRoot().isBlank())) {
            // the documented default (camel.cluster.file.root): every instance on this host shares the storage path
            String root = Path.of(storagePath).resolve("cluster").toAbsolutePath().toString();
            files.setRoot(root);
            LOG.info("camel.cluster.file.root not set: the Telegram poller lock lives under {}", root);
        }
    }

    /** The poller of this instance (idle unless it is the leader). */
    public TelegramPoller poller() {
        return poller;
    }

    @Override
    public void configure() {
        getCamelContext().addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                poller.abort();
            }
        });

        from("master:" + namespace + ":timer:telegram-poll?delay=10&period=10&synchronous=true")
                .routeId("telegram-poll")
                .routeConfigurationId("telegram-poll")
                .process(exchange -> exchange.getMessage().setBody(poller.fetch()))
                .split(body()).stopOnException()
                    .setProperty(TelegramConstants.UPDATE, body())
                    .to("direct:telegram-update")
                    .process(poller::confirmed)
                .end();
    }
}
