package routes.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Every log event of this JVM while open (an appender on logback's root logger), to check what was logged. */
public final class CapturedLogs implements AutoCloseable {

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };

    private CapturedLogs() {
        appender.start();
        root().addAppender(appender);
    }

    public static CapturedLogs start() {
        return new CapturedLogs();
    }

    /** Every event so far, in the order logged. */
    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** The events logged by {@code logger} at exactly {@code level}. */
    public List<ILoggingEvent> at(Level level, Class<?> logger) {
        return events.stream()
                .filter(event -> event.getLoggerName().equals(logger.getName()))
                .filter(event -> event.getLevel() == level)
                .toList();
    }

    /** The events logged at {@code level} or above, by any logger. */
    public List<ILoggingEvent> atLeast(Level level) {
        return events.stream().filter(event -> event.getLevel().isGreaterOrEqual(level)).toList();
    }

    @Override
    public void close() {
        root().detachAppender(appender);
        appender.stop();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
