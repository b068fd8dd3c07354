package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.Priority;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/** The opt-in response cache: the same conversation asked of the same profile is answered once by the model. */
class ResponseCacheTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KafkaTestSupport kafka = TestInfra.kafka();

    private static Envelope message(String chat, String text, String profile) {
        return Envelope.builder().id(chat + "-1").traceId("t-" + chat).channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId("cache-user").text(text).priority(Priority.REALTIME)
                .receivedAt(Instant.now()).meta("profile", profile).build();
    }

    @Test
    void aProfileThatCachesAnswersARepeatedConversationWithoutTheModel() {
        String question = "cache me " + uniqueChat("q");
        Envelope first = kafka.ask(message(uniqueChat("cache-a"), question, "cached"), WAIT);
        Envelope second = kafka.ask(message(uniqueChat("cache-b"), question, "cached"), WAIT);
        assertThat(second.text()).isEqualTo(first.text());
        assertThat(first.meta("cached")).isNull();
        assertThat(second.meta("cached")).isEqualTo("true");
        assertThat(modelCallsFor(question)).isEqualTo(1);
    }

    @Test
    void aProfileWithoutCacheAsksTheModelEveryTime() {
        String question = "do not cache me " + uniqueChat("q");
        kafka.ask(message(uniqueChat("nocache-a"), question, "general"), WAIT);
        Envelope second = kafka.ask(message(uniqueChat("nocache-b"), question, "general"), WAIT);
        assertThat(second.meta("cached")).isNull();
        assertThat(modelCallsFor(question)).isEqualTo(2);
    }
}
