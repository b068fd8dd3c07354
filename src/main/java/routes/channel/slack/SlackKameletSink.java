package routes.channel.slack;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.channel.PlatformException;
import routes.channel.TextChunker;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;

/**
 * The step of {@code kamelets/slack-sink.kamelet.yaml}: posts a reply envelope (JSON or an {@link Envelope}) into
 * its Slack conversation, in the thread of {@code replyTo}, split into pieces of at most {@code maxText}.
 *
 * <p>Failures are {@link PlatformException}s (retriable ones for 429 and Slack's own trouble), for the route
 * using the kamelet to retry or dead-letter. Configured through the kamelet's properties (setters).
 */
public class SlackKameletSink implements Processor {

    private String botToken = "";
    private String apiUrl = "https://slack.com/api";
    private int maxText = 4000;
    private Duration timeout = Duration.ofSeconds(10);
    private volatile SlackApi api;

    /** Bot user OAuth token; never logged. */
    public void setBotToken(String botToken) {
        this.botToken = botToken == null ? "" : botToken.trim();
        api = null;
    }

    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl;
        api = null;
    }

    public void setMaxText(int maxText) {
        this.maxText = maxText;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Object body = exchange.getMessage().getBody();
        Envelope reply = body instanceof Envelope e ? e
                : EnvelopeCodec.decode(exchange.getMessage().getMandatoryBody(byte[].class));
        List<String> chunks = TextChunker.split(reply.text() == null ? "" : reply.text(), maxText);
        for (String chunk : chunks) {
            try {
                client().postMessage(reply.chatId(), SlackText.escape(chunk), reply.replyTo())
                        .get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (TimeoutException e) {
                throw new PlatformException(SlackConstants.CHANNEL, 0, "timed out", null);
            }
        }
    }

    private SlackApi client() {
        SlackApi current = api;
        if (current == null) {
            current = SlackApi.create(apiUrl, botToken, timeout);
            api = current;
        }
        return current;
    }
}
