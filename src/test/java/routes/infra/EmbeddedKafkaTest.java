package routes.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class EmbeddedKafkaTest {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaTest.class);
    private static final String TOPIC = "caravan.embedded.test";

    @TempDir
    Path dataDir;

    @Test
    void recordsTopicsAndClusterIdSurviveARestartOnOtherPorts() throws Exception {
        String clusterId;
        int oldBroker;
        int oldController;
        try (var kafka = EmbeddedKafka.start(dataDir, 0, 0, 3)) {
            LOG.info("Kafka first start (format + start) took {} ms", kafka.startupDuration().toMillis());
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.brokerPort());
            assertThat(kafka.brokerPort()).isNotEqualTo(kafka.controllerPort());
            assertThat(Files.exists(dataDir.resolve("meta.properties"))).isTrue();
            clusterId = kafka.clusterId();
            oldBroker = kafka.brokerPort();
            oldController = kafka.controllerPort();

            try (var producer = idempotentProducer(kafka.bootstrapServers())) {
                // The topic does not exist: this also proves auto-creation is on and uses num.partitions.
                producer.send(new ProducerRecord<>(TOPIC, "conversation-1", "hello")).get();
            }
            try (var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                var description = admin.describeTopics(Set.of(TOPIC)).allTopicNames().get().get(TOPIC);
                assertThat(description.partitions()).hasSize(3);
            }
        }

        int newBroker = FreePorts.pick("127.0.0.1", oldBroker, oldController);
        int newController = FreePorts.pick("127.0.0.1", oldBroker, oldController, newBroker);
        try (var kafka = EmbeddedKafka.start(dataDir, newBroker, newController, 3)) {
            LOG.info("Kafka restart took {} ms", kafka.startupDuration().toMillis());
            assertThat(kafka.brokerPort()).isEqualTo(newBroker);
            assertThat(kafka.controllerPort()).isEqualTo(newController);
            assertThat(kafka.clusterId()).isEqualTo(clusterId);

            try (var consumer = consumer(kafka.bootstrapServers())) {
                consumer.subscribe(List.of(TOPIC));
                List<ConsumerRecord<String, String>> received = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                    return !received.isEmpty();
                });
                assertThat(received).singleElement().satisfies(r -> {
                    assertThat(r.key()).isEqualTo("conversation-1");
                    assertThat(r.value()).isEqualTo("hello");
                });
            }
        }
    }

    @Test
    void refusesADataDirectoryThatARunningBrokerUses() throws Exception {
        try (var kafka = EmbeddedKafka.start(dataDir, 0, 0, 1)) {
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0, 0, 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use");
            // The first broker is unharmed.
            try (var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertThat(admin.describeCluster().clusterId().get()).isEqualTo(kafka.clusterId());
            }
        }
    }

    @Test
    void failsOnAnOccupiedFixedPortAndReleasesTheDirectory() throws Exception {
        try (var occupied = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, occupied.getLocalPort(), 0, 1))
                    .hasStackTraceContaining("Address already in use");
        }
        try (var kafka = EmbeddedKafka.start(dataDir, 0, 0, 1)) {
            assertThat(kafka.brokerPort()).isPositive();
        }
    }

    @Test
    void closeIsIdempotent() {
        var kafka = EmbeddedKafka.start(dataDir, 0, 0, EmbeddedKafka.DEFAULT_PARTITIONS);
        LOG.info("Kafka start (format + start) took {} ms", kafka.startupDuration().toMillis());
        kafka.close();
        kafka.close();
    }

    private static KafkaProducer<String, String> idempotentProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "embedded-kafka-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer());
    }
}
