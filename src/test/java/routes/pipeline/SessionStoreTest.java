package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.envelope.Turn;
import routes.support.CaravanIntegrationTest;

/** The history of a conversation in Redis: one append is one script (history, trim, expiry, the sender's index). */
class SessionStoreTest extends CaravanIntegrationTest {

    private static final String CHANNEL = "session-test";

    @Autowired
    private SessionStore sessions;

    @Autowired
    private SessionProperties properties;

    @Autowired
    private StringRedisTemplate redis;

    @Test
    void appendsKeepTheLastTurnsRenewTheExpiryAndListTheChatUnderItsSender() {
        String chat = uniqueChat("history");
        String sender = uniqueChat("sender");
        int turns = properties.getMaxTurns() + 3;
        for (int i = 0; i < turns; i++) {
            sessions.append(CHANNEL, chat, sender, sessions.history(CHANNEL, chat), Turn.user("question " + i,
                    chat + "-" + i), Turn.assistant("answer " + i, null));
        }

        List<Turn> history = sessions.history(CHANNEL, chat);
        assertThat(history).hasSize(2 * properties.getMaxTurns());
        assertThat(history.get(0).text()).isEqualTo("question 3");
        assertThat(history.get(history.size() - 1).text()).isEqualTo("answer " + (turns - 1));
        assertThat(history).extracting(Turn::role).containsSubsequence("user", "assistant", "user", "assistant");
        long ttl = properties.ttlFor(CHANNEL).toMillis();
        assertThat(redis.getExpire("caravan:session:" + CHANNEL + ":" + chat, TimeUnit.MILLISECONDS))
                .isPositive().isLessThanOrEqualTo(ttl);
        assertThat(redis.getExpire("caravan:user-chats:" + CHANNEL + ":" + sender, TimeUnit.MILLISECONDS))
                .isPositive().isLessThanOrEqualTo(ttl);
        assertThat(sessions.chatsOf(CHANNEL, sender)).containsExactly(chat);
    }

    @Test
    void theSameMessageAppendedAgainAddsNothing() {
        String chat = uniqueChat("redelivered");
        Turn user = Turn.user("only once", chat + "-1");
        sessions.append(CHANNEL, chat, "someone", sessions.history(CHANNEL, chat), user,
                Turn.assistant("the answer", null));
        // a redelivered message finds its own turn in the history it loads and leaves the history as it was
        sessions.append(CHANNEL, chat, "someone", sessions.history(CHANNEL, chat), user,
                Turn.assistant("the answer again", null));

        assertThat(sessions.history(CHANNEL, chat)).extracting(Turn::text).containsExactly("only once", "the answer");
    }

    @Test
    void withoutASenderOnlyTheHistoryIsWritten() {
        String chat = uniqueChat("anonymous");
        sessions.append(CHANNEL, chat, null, List.of(), Turn.user("hello", chat + "-1"), Turn.assistant("hi", null));

        assertThat(sessions.history(CHANNEL, chat)).extracting(Turn::text).containsExactly("hello", "hi");
    }
}
