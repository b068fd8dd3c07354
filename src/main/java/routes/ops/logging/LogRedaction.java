package routes.ops.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import java.util.Iterator;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Puts the {@link LogRedactor} in front of every log appender, right after Spring Boot has set up logging and
 * before the application logs anything of its own: it learns the configured secret values, then wraps each
 * appender's encoder in a {@link RedactingEncoder}. Whatever configures the appenders — Spring Boot's defaults,
 * structured JSON, an operator's own logback file — their lines are redacted.
 *
 * <p>Registered in {@code META-INF/spring.factories}, because it must run before the application context exists.
 * It runs again when the context is prepared, to learn secrets added to the environment late (test properties).
 */
public class LogRedaction implements SmartApplicationListener {

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
        return ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(eventType)
                || ApplicationPreparedEvent.class.isAssignableFrom(eventType);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            install(prepared.getEnvironment());
        } else if (event instanceof ApplicationPreparedEvent prepared) {
            install(prepared.getApplicationContext().getEnvironment());
        }
    }

    @Override
    public int getOrder() {
        // just after LoggingApplicationListener has configured the appenders
        return LoggingApplicationListener.DEFAULT_ORDER + 1;
    }

    /** Learns the secrets of {@code environment} and wraps every appender's encoder (once). */
    public static void install(ConfigurableEnvironment environment) {
        LogRedactor.addSecrets(SecretValues.of(environment));
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            for (Logger logger : context.getLoggerList()) {
                wrap(logger.iteratorForAppenders());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void wrap(Iterator<Appender<ILoggingEvent>> appenders) {
        while (appenders.hasNext()) {
            Appender<ILoggingEvent> appender = appenders.next();
            if (appender instanceof OutputStreamAppender<ILoggingEvent> out
                    && out.getEncoder() != null && !(out.getEncoder() instanceof RedactingEncoder)) {
                RedactingEncoder redacting = new RedactingEncoder(out.getEncoder());
                redacting.start();
                out.setEncoder(redacting);
            }
            if (appender instanceof AppenderAttachable<?> attachable) {
                // an async appender and its kind write through the appenders attached to them
                wrap(((AppenderAttachable<ILoggingEvent>) attachable).iteratorForAppenders());
            }
        }
    }
}
