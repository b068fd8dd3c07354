package routes.channel.telegram;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who the bot is: its numeric id (from the token) and its username (configured, or asked with getMe once and
 * remembered). Mention detection needs the username; a failed getMe is retried at most every 30 seconds, and until
 * then only replies to the bot count as mentions.
 */
public class TelegramBot {

    private static final Logger LOG = LoggerFactory.getLogger(TelegramBot.class);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final String id;
    private final TelegramBotApi api;
    private volatile String username;
    private volatile long nextLookup;

    public TelegramBot(TelegramProperties properties, TelegramBotApi api) {
        this.id = properties.botId();
        this.api = api;
        String configured = properties.getBotUsername();
        this.username = configured == null || configured.isBlank() ? null : normalise(configured);
        this.nextLookup = System.nanoTime();
    }

    /** The bot's user id: the envelope's account, and what replies to the bot point at. */
    public String id() {
        return id;
    }

    /** The username without {@code @}, lower case; {@code null} while unknown. */
    public String username() {
        String known = username;
        if (known != null || System.nanoTime() - nextLookup < 0) {
            return known;
        }
        synchronized (this) {
            if (username == null && System.nanoTime() - nextLookup >= 0) {
                nextLookup = System.nanoTime() + RETRY_NANOS;
                lookUp();
            }
            return username;
        }
    }

    private void lookUp() {
        try {
            TelegramBotApi.Result me = api.call("getMe", TelegramBotApi.params(), Duration.ofSeconds(10))
                    .get(15, TimeUnit.SECONDS);
            if (me.succeeded() && me.result().hasNonNull("username")) {
                username = normalise(me.result().path("username").asText());
                LOG.info("Telegram bot is @{}", username);
            } else {
                LOG.warn("getMe failed ({} {}); group mentions by name are not recognised until it succeeds",
                        me.status(), me.description());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("getMe failed ({}); group mentions by name are not recognised until it succeeds",
                    api.redact(e.getClass().getSimpleName()));
        }
    }

    private static String normalise(String name) {
        String n = name.trim();
        if (n.startsWith("@")) {
            n = n.substring(1);
        }
        return n.toLowerCase(Locale.ROOT);
    }
}
