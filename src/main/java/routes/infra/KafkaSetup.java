package routes.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.infra.kafka.OrderedKafkaComponent;

/**
 * Kafka wiring: one admin client, the topics of DESIGN.md §3 created when missing, and the {@code ordered-kafka}
 * Camel component.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaSetup {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSetup.class);

    /** Channels whose reply topics exist from the start; a channel added later creates its own. */
    public static final List<String> CORE_CHANNELS = List.of("websocket", "rest", "openai");

    @Bean(destroyMethod = "close")
    Admin kafkaAdmin(KafkaProperties properties) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, properties.getBootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "caravan-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    @Bean("ordered-kafka")
    OrderedKafkaComponent orderedKafkaComponent(KafkaProperties properties, TopicsReady topicsReady) {
        OrderedKafkaComponent component = new OrderedKafkaComponent();
        component.setBrokers(properties.getBootstrapServers());
        return component;
    }

    /** Marker that the topics exist; consumers depend on it so they never subscribe to a missing topic. */
    public record TopicsReady(Set<String> topics) {
    }

    @Bean
    TopicsReady topicsReady(Admin admin, KafkaProperties properties,
            org.springframework.beans.factory.ObjectProvider<routes.channel.ChannelRegistration> channels)
            throws Exception {
        KafkaProperties.Topics t = properties.getTopics();
        List<String> wanted = new ArrayList<>(List.of(t.getInboundUrgent(), t.getInbound(), t.getInboundBatch(),
                t.getInboundLow(), t.getDlq(), t.getAudit(), t.getUsage()));
        CORE_CHANNELS.forEach(channel -> wanted.add(t.outbound(channel)));
        channels.orderedStream().forEach(channel -> wanted.add(t.outbound(channel.name())));
        if (properties.isCreateTopics()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream()
                    .filter(name -> !existing.contains(name))
                    .map(name -> new NewTopic(name, properties.getPartitions(), properties.getReplicationFactor()))
                    .toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
                LOG.info("created Kafka topics {}", missing.stream().map(NewTopic::name).toList());
            }
        }
        return new TopicsReady(Set.copyOf(wanted));
    }
}
