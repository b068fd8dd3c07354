package routes.channel.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.master.MasterConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.CaravanApplication;
import routes.support.CaravanIntegrationTest;
import routes.support.TestInfra;
import routes.support.fakes.FakeTelegramServer;

/**
 * Polling mode with two Caravan instances (this test's context and a second one started here) sharing Kafka,
 * Redis and the cluster lock directory: exactly one long-polls the fake Bot API at a time, and every update is
 * answered once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TelegramPollingTest extends CaravanIntegrationTest {

    static final FakeTelegramServer TELEGRAM = FakeTelegramServer.shared();
    static final Duration WAIT = Duration.ofSeconds(60);
    static ConfigurableApplicationContext second;

    @DynamicPropertySource
    static void telegram(DynamicPropertyRegistry registry) {
        pollingProperties().forEach((key, value) -> registry.add(key, () -> value));
    }

    static Map<String, Object> pollingProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("caravan.channels.telegram.token", FakeTelegramServer.TOKEN);
        p.put("caravan.channels.telegram.api-url", TELEGRAM.baseUrl());
        p.put("caravan.channels.telegram.mode", "polling");
        p.put("caravan.channels.telegram.poll-timeout", "2s");
        p.put("caravan.channels.telegram.stream-edits", "false");
        p.put("camel.cluster.file.root", TestInfra.STORAGE.resolve("cluster-telegram-test").toString());
        p.put("camel.cluster.file.acquire-lock-delay", "1s");
        p.put("camel.cluster.file.acquire-lock-interval", "1s");
        return p;
    }

    @Autowired
    CamelContext camel;

    @BeforeEach
    void startSecondInstance() {
        if (second == null) {
            Map<String, Object> p = new LinkedHashMap<>(pollingProperties());
            p.put("caravan.http.port", "0");
            p.put("caravan.instance.id", "test-b-" + UUID.randomUUID().toString().substring(0, 8));
            p.put("caravan.models.providers.openai.base-url", MODEL.baseUrl());
            p.put("caravan.models.providers.openai.api-key", "test-key");
            p.put("caravan.models.providers.openai.timeout", "3s");
            p.put("caravan.pipeline.redelivery-delay", "50ms");
            p.put("caravan.access.default-policy", "open");
            // as command-line arguments: they outrank application.yaml, as the test context's properties do
            String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new);
            second = new SpringApplicationBuilder(CaravanApplication.class).run(args);
        }
    }

    @AfterAll
    static void stopSecondInstance() {
        if (second != null) {
            second.close();
            second = null;
        }
    }

    @Test
    @Order(1)
    void twoInstancesPollOneAtATimeAndAnswerEveryUpdateOnce() {
        CamelContext other = second.getBean(CamelContext.class);
        await().atMost(WAIT).until(() -> leaders(camel, other) == 1 && TELEGRAM.pollCount() > 0);

        List<String> chats = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String chat = TelegramWebhookTest.privateChat();
            chats.add(chat);
            TELEGRAM.enqueue(TELEGRAM.privateText(Long.parseLong(chat), "polled message " + i));
        }

        for (int i = 0; i < chats.size(); i++) {
            String chat = chats.get(i);
            await().atMost(WAIT).until(() -> TELEGRAM.sent(chat).size() >= 1);
            assertThat(TELEGRAM.sent(chat)).extracting(m -> m.path("text").asText())
                    .containsExactly("echo: polled message " + i);
        }
        assertThat(TELEGRAM.conflicts()).as("getUpdates calls that overlapped").isZero();
        assertThat(TELEGRAM.maxConcurrentPolls()).isEqualTo(1);
        assertThat(leaders(camel, other)).isEqualTo(1);
    }

    @Test
    @Order(2)
    void anUpdateHandedOutAgainGetsNoSecondReply() {
        String chat = TelegramWebhookTest.privateChat();
        ObjectNode update = TELEGRAM.privateText(Long.parseLong(chat), "answer me exactly once");
        TELEGRAM.enqueue(update);
        await().atMost(WAIT).until(() -> TELEGRAM.sent(chat).size() >= 1);

        // the batch is fetched again, as after a failure before the offset was confirmed
        TELEGRAM.replay(update.deepCopy());
        TELEGRAM.enqueue(TELEGRAM.privateText(Long.parseLong(chat), "and now this"));

        await().atMost(WAIT).until(() -> TELEGRAM.sent(chat).size() >= 2);
        assertThat(TELEGRAM.sent(chat)).extracting(m -> m.path("text").asText())
                .containsExactly("echo: answer me exactly once", "echo: and now this");
        assertThat(modelCallsFor("answer me exactly once"))
                .as("a rebalance between test instances may repeat a model call; never the reply")
                .isBetween(1L, 2L);
    }

    @Test
    @Order(3)
    void pollingMovesToTheOtherInstanceWhenThePollerStops() throws Exception {
        CamelContext other = second.getBean(CamelContext.class);
        await().atMost(WAIT).until(() -> leaders(camel, other) == 1);
        if (isLeader(camel)) {
            // make the second instance the poller, so that stopping it (a whole instance) hands polling back here
            camel.getRouteController().stopRoute("telegram-poll");
            await().atMost(WAIT).until(() -> isLeader(other));
            camel.getRouteController().startRoute("telegram-poll");
        }
        await().atMost(WAIT).until(() -> isLeader(other) && !isLeader(camel));
        int conflictsBefore = TELEGRAM.conflicts();

        second.close();
        second = null;

        await().atMost(WAIT).until(() -> isLeader(camel));
        String chat = TelegramWebhookTest.privateChat();
        TELEGRAM.enqueue(TELEGRAM.privateText(Long.parseLong(chat), "who polls now?"));
        await().atMost(WAIT).until(() -> TELEGRAM.sent(chat).size() >= 1);
        assertThat(TELEGRAM.sent(chat)).extracting(m -> m.path("text").asText())
                .containsExactly("echo: who polls now?");
        // Telegram, like the fake, holds a long poll until its timeout even when its caller went away: the stopped
        // poller's abandoned call may still be open when the new poller's first call comes, which ends it (a 409
        // nobody reads). At most that one overlap; a poller still running would overlap on every poll from then on.
        int conflictsAfterHandOver = TELEGRAM.conflicts();
        assertThat(conflictsAfterHandOver - conflictsBefore).as("overlaps at the hand-over").isLessThanOrEqualTo(1);
        int polls = TELEGRAM.pollCount();
        await().atMost(WAIT).until(() -> TELEGRAM.pollCount() >= polls + 3);
        assertThat(TELEGRAM.conflicts()).as("the stopped instance polls no more").isEqualTo(conflictsAfterHandOver);
    }

    static int leaders(CamelContext... contexts) {
        int n = 0;
        for (CamelContext c : contexts) {
            n += isLeader(c) ? 1 : 0;
        }
        return n;
    }

    static boolean isLeader(CamelContext context) {
        if (!context.getStatus().isStarted()) {
            return false;
        }
        Route route = context.getRoute("telegram-poll");
        return route != null && route.getConsumer() instanceof MasterConsumer master && master.isMaster();
    }

    static List<String> texts(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("text").asText()).toList();
    }
}
