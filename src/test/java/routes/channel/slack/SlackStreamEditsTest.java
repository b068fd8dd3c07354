package routes.channel.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.CaravanIntegrationTest;
import routes.support.fakes.FakeSlackApi;
import routes.support.fakes.FakeSlackApi.Call;

/**
 * Streamed replies on Slack: a draft posted in the thread with the first text, updated as the model writes, and
 * updated into the final reply by the egress.
 *
 * <p>This context reads and writes topics of its own, so the model call of its messages runs here, where drafts
 * are on (test contexts stay alive for the whole run and share the consumer groups).
 */
class SlackStreamEditsTest extends CaravanIntegrationTest {

    static final String TOKEN = SlackChannelTest.TOKEN;
    static final FakeSlackApi SLACK = new FakeSlackApi(TOKEN);
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration WAIT = Duration.ofSeconds(40);

    @DynamicPropertySource
    static void slack(DynamicPropertyRegistry registry) {
        registry.add("caravan.channels.slack.bot-token", () -> TOKEN);
        registry.add("caravan.channels.slack.signing-secret", () -> SlackChannelTest.SECRET);
        registry.add("caravan.channels.slack.api-url", SLACK::apiUrl);
        registry.add("caravan.channels.slack.stream-edits", () -> "true");
        registry.add("caravan.channels.slack.edit-interval", () -> "1s");
        registry.add("caravan.kafka.topics.inbound-urgent", () -> "stream-edits-slack.inbound.urgent");
        registry.add("caravan.kafka.topics.inbound", () -> "stream-edits-slack.inbound");
        registry.add("caravan.kafka.topics.inbound-batch", () -> "stream-edits-slack.inbound.batch");
        registry.add("caravan.kafka.topics.inbound-low", () -> "stream-edits-slack.inbound.low");
        registry.add("caravan.kafka.topics.outbound-prefix", () -> "stream-edits-slack.outbound.");
        // a slowly streamed reply takes seconds: it must not turn into a timeout reply
        registry.add("caravan.models.providers.openai.timeout", () -> "30s");
    }

    @AfterAll
    static void close() {
        SLACK.close();
    }

    @Test
    void slowlyStreamedReplyIsADraftUpdatedInItsThread() throws Exception {
        String answer = "Slack threads keep a conversation together: the reply to a message lives under it, "
                + "and <!channel> stays plain text.";
        String expected = SlackText.escape(answer);
        MODEL.replyWith(request -> answer).tokenInterval(Duration.ofMillis(150));
        String channel = SlackChannelTest.channelId("D");
        ObjectNode event = SlackChannelTest.messageEvent(channel, "im", "how do threads work?");

        assertThat(postSigned(SlackChannelTest.eventCallback(channel, event)).statusCode()).isEqualTo(200);

        await().atMost(WAIT).until(() -> {
            List<Call> updates = SLACK.updatesIn(channel);
            return !updates.isEmpty() && expected.equals(updates.get(updates.size() - 1).text());
        });
        // a later message of the conversation, answered in order: once it is, the first reply went through the
        // egress, and any draft call after that would show below
        MODEL.tokenInterval(Duration.ZERO).replyWith(request -> "echo: " + lastUserText(request));
        ObjectNode later = SlackChannelTest.messageEvent(channel, "im", "and one more");
        assertThat(postSigned(SlackChannelTest.eventCallback(channel, later)).statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> SLACK.deliveredTo(channel).size() == 2
                && "echo: and one more".equals(SLACK.textOf(channel, SLACK.deliveredTo(channel).get(1).ts())));
        List<Call> posts = SLACK.deliveredTo(channel);
        assertThat(posts).as("the draft, then the later message's reply").hasSize(2);
        Call draft = posts.get(0);
        assertThat(draft.threadTs()).isEqualTo(event.path("ts").asText());
        assertThat(expected).startsWith(draft.text());
        List<Call> updates = SLACK.updatesIn(channel).stream()
                .filter(u -> u.body().path("ts").asText().equals(draft.ts())).toList();
        assertThat(updates).isNotEmpty();
        assertThat(updates.get(updates.size() - 1).text()).isEqualTo(expected);
        String previous = draft.text();
        for (Call update : updates) {
            assertThat(update.text()).as("the draft only grows").startsWith(previous);
            previous = update.text();
        }
        assertThat(SLACK.textOf(channel, draft.ts())).isEqualTo(expected);
        List<Instant> times = new ArrayList<>();
        times.add(draft.at());
        updates.forEach(u -> times.add(u.at()));
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i))).as("call %d of the draft", i)
                    .isGreaterThanOrEqualTo(INTERVAL);
        }
        assertThat(SLACK.deliveredTo(channel).get(1).threadTs()).isEqualTo(later.path("ts").asText());
    }

    HttpResponse<String> postSigned(String body) throws Exception {
        long now = Instant.now().getEpochSecond();
        return HTTP.send(HttpRequest.newBuilder(uri(SlackConstants.EVENTS_PATH))
                .header("Content-Type", "application/json")
                .header("X-Slack-Request-Timestamp", String.valueOf(now))
                .header("X-Slack-Signature", SlackChannelTest.signature(SlackChannelTest.SECRET, now, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
