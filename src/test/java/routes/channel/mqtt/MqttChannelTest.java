package routes.channel.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.infra.EmbeddedInfrastructure;
import routes.ops.DeadLetters;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;
import routes.support.fakes.EmbeddedMqttBroker;

/**
 * The MQTT channel end to end: a device on a real in-process MQTT 5 broker talks to the gateway. The same context
 * runs kamelets/mqtt-source and mqtt-sink on their own topic prefix.
 */
@Import(MqttChannelTest.KameletRoutes.class)
class MqttChannelTest extends CaravanIntegrationTest {

    /** What the source kamelet passed on. */
    private static final ConcurrentLinkedQueue<String> FROM_KAMELET = new ConcurrentLinkedQueue<>();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The broker lives as long as the test JVM, like the context that points at it. */
    private static final EmbeddedMqttBroker BROKER = new EmbeddedMqttBroker();

    private static KafkaTestSupport kafka;

    @Autowired
    private CamelContext camel;

    @Autowired
    private ProducerTemplate producer;

    private MqttClient device;
    private String deviceId;
    private final List<JsonNode> replies = new CopyOnWriteArrayList<>();

    @DynamicPropertySource
    static void mqtt(DynamicPropertyRegistry registry) {
        registry.add("caravan.channels.mqtt.broker-url", BROKER::url);
        registry.add("caravan.channels.retry-delay", () -> "100ms");
    }

    /** Routes an integrator would write around the kamelets. */
    @TestConfiguration
    static class KameletRoutes {
        @Bean
        RouteBuilder mqttKameletRoutes() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("kamelet:mqtt-source?topicPrefix=kamelet&clientId=kamelet-in&brokerUrl=RAW(" + BROKER.url()
                            + ")").routeId("mqtt-kamelet-source-test")
                            .process(e -> FROM_KAMELET.add(e.getMessage().getBody(String.class)));
                    from("direct:mqtt-kamelet-sink").routeId("mqtt-kamelet-sink-test")
                            .to("kamelet:mqtt-sink?topicPrefix=kamelet&clientId=kamelet-out&brokerUrl=RAW("
                                    + BROKER.url() + ")");
                }
            };
        }
    }

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestSupport(EmbeddedInfrastructure.ensureStarted(TestInfra.STORAGE, 0, 0, 4)
                .kafkaBootstrapServers());
    }

    @AfterAll
    static void closeKafka() {
        kafka.close();
    }

    @BeforeEach
    void connectDevice() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(
                () -> camel.getRouteController().getRouteStatus(MqttIngressRoutes.ROUTE_ID) == ServiceStatus.Started);
        deviceId = "dev-" + UUID.randomUUID().toString().substring(0, 8);
        device = new MqttClient(BROKER.url(), deviceId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        device.connect(options);
        // the (String, int, listener) overload recurses forever in Paho 1.2.5: use the array form
        IMqttMessageListener collect = (topic, message) -> replies.add(JSON.readTree(message.getPayload()));
        device.subscribe(new MqttSubscription[] {new MqttSubscription("caravan/out/" + deviceId, 1)},
                new IMqttMessageListener[] {collect}).waitForCompletion(10_000);
    }

    @AfterEach
    void disconnectDevice() throws Exception {
        device.disconnect();
        device.close();
    }

    private void publish(byte[] payload, UserProperty... properties) throws Exception {
        MqttMessage message = new MqttMessage(payload, 1, false, null);
        if (properties.length > 0) {
            MqttProperties mqtt = new MqttProperties();
            mqtt.setUserProperties(Arrays.asList(properties));
            message.setProperties(mqtt);
        }
        device.publish("caravan/in/" + deviceId, message);
    }

    private void publish(String payload, UserProperty... properties) throws Exception {
        publish(payload.getBytes(StandardCharsets.UTF_8), properties);
    }

    private List<String> replyTexts() {
        return replies.stream().map(r -> r.path("text").asText()).toList();
    }

    @Test
    void aDeviceGetsAReplyOnItsOutTopic() throws Exception {
        publish("hello over mqtt");
        await().atMost(Duration.ofSeconds(30)).until(() -> !replies.isEmpty());
        JsonNode reply = replies.get(0);
        assertThat(reply.path("text").asText()).isEqualTo("echo: hello over mqtt");
        assertThat(reply.path("inReplyTo").asText()).isNotBlank();
        assertThat(reply.path("id").asText()).isEqualTo(reply.path("inReplyTo").asText() + ":reply");
    }

    @Test
    void aRetriedMessageWithTheSameIdGetsOneReply() throws Exception {
        String first = "{\"text\":\"only once please\",\"id\":\"m-1\"}";
        publish(first);
        publish(first);
        publish("{\"text\":\"after the retry\",\"id\":\"m-2\"}");
        // one device is answered in order: once "after" is answered, the retry has been seen
        await().atMost(Duration.ofSeconds(30)).until(() -> replyTexts().contains("echo: after the retry"));
        assertThat(replyTexts()).containsExactly("echo: only once please", "echo: after the retry");
        assertThat(replies.get(0).path("inReplyTo").asText()).isEqualTo("m-1");
    }

    @Test
    void anMqtt5UserPropertyIdAlsoDedupes() throws Exception {
        publish("named by a property", new UserProperty("id", "p-1"));
        publish("named by a property", new UserProperty("id", "p-1"));
        publish("{\"text\":\"property barrier\",\"id\":\"p-2\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> replyTexts().contains("echo: property barrier"));
        assertThat(replyTexts()).containsExactly("echo: named by a property", "echo: property barrier");
    }

    @Test
    void invalidPayloadsAreDeadLetteredAndTheChannelKeepsWorking() throws Exception {
        String marker = UUID.randomUUID().toString();
        byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28};
        String badJson = "{\"text\": \"" + marker;
        String noText = "{\"message\":\"" + marker + "\"}";
        publish(notUtf8);
        publish(badJson);
        publish(noText);
        publish(new byte[0]);
        publish("still alive");
        await().atMost(Duration.ofSeconds(30)).until(() -> replyTexts().contains("echo: still alive"));
        assertThat(replyTexts()).containsExactly("echo: still alive");

        List<ConsumerRecord<String, byte[]>> dead = kafka.readUntil("caravan.dlq",
                r -> new String(r.value(), StandardCharsets.UTF_8).contains(marker), found -> found.size() >= 2,
                Duration.ofSeconds(30));
        assertThat(dead).hasSize(2);
        assertThat(dead).map(DeadLetters::entry).allSatisfy(entry -> {
            assertThat(entry.route()).isEqualTo(MqttIngressRoutes.ROUTE_ID);
            assertThat(entry.reason()).startsWith("InvalidMqttMessageException");
        });
    }

    @Test
    void theKameletsCarryADeviceMessageInAndAReplyOut() throws Exception {
        List<JsonNode> kameletReplies = new CopyOnWriteArrayList<>();
        IMqttMessageListener collect = (topic, message) -> kameletReplies.add(JSON.readTree(message.getPayload()));
        device.subscribe(new MqttSubscription[] {new MqttSubscription("kamelet/out/" + deviceId, 1)},
                new IMqttMessageListener[] {collect}).waitForCompletion(10_000);
        device.publish("kamelet/in/" + deviceId, new MqttMessage(
                "{\"text\":\"via the kamelet\",\"id\":\"k-1\"}".getBytes(StandardCharsets.UTF_8), 1, false, null));
        String json = await().atMost(Duration.ofSeconds(30)).until(
                () -> FROM_KAMELET.stream().filter(b -> b.contains(deviceId)).findFirst().orElse(null),
                b -> b != null);
        Envelope envelope = EnvelopeCodec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(envelope.id()).isEqualTo("k-1");
        assertThat(envelope.channel()).isEqualTo("mqtt");
        assertThat(envelope.chatId()).isEqualTo(deviceId);
        assertThat(envelope.text()).isEqualTo("via the kamelet");

        Envelope reply = Envelope.builder().id("k-1:reply").inReplyTo("k-1").channel("mqtt").chatId(deviceId)
                .chatType(ChatType.DIRECT).text("answered by the sink").build();
        producer.sendBody("direct:mqtt-kamelet-sink", EnvelopeCodec.encodeToString(reply));
        await().atMost(Duration.ofSeconds(30)).until(() -> !kameletReplies.isEmpty());
        assertThat(kameletReplies.get(0).path("text").asText()).isEqualTo("answered by the sink");
        assertThat(kameletReplies.get(0).path("inReplyTo").asText()).isEqualTo("k-1");
        assertThat(replies).isEmpty();
    }
}
