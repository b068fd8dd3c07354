package routes.ops.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;

/**
 * DEBUG lines about the content going through the pipeline, on logger {@code routes.content}: which message came in
 * and which reply went out, with their length — and their text only when {@code caravan.logging.include-text} is
 * on. The one place where message and model text may reach a log; never at INFO.
 */
@Component
public class ContentLog {

    /** The logger of the content lines: {@code logging.level.routes.content=DEBUG} shows them. */
    public static final String LOGGER = "routes.content";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final LoggingProperties properties;

    public ContentLog(LoggingProperties properties) {
        this.properties = properties;
    }

    /** Logs a message taken into the pipeline. */
    public void inbound(Envelope message) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("message {} from {}: {}", message.id(), message.senderId(), describe(message.text()));
        }
    }

    /** Logs a reply about to be published. */
    public void reply(Envelope reply) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("reply {}: {}", reply.id(), describe(reply.text()));
        }
    }

    /** The text itself when allowed, else only how long it is. */
    public String describe(String text) {
        if (text == null) {
            return "(no text)";
        }
        return properties.isIncludeText() ? text.length() + " characters: " + text : text.length() + " characters";
    }
}
