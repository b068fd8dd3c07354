package routes.channel.telegram;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.RedeliveryPolicyDefinition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.stereotype.Component;

/**
 * Error handling of the Telegram ingress routes.
 *
 * <ul>
 *   <li>{@code telegram-webhook}: a refused request (secret, body) is answered 4xx with a JSON error; an update
 *       that could not be accepted (Kafka unreachable) is answered 503, so Telegram sends it again.</li>
 *   <li>{@code telegram-poll}: an update that could not be accepted is tried again, backing off to 30 s, for as
 *       long as the instance runs. Polling waits meanwhile; the update stays unconfirmed at Telegram, so an
 *       instance that stops leaves it for the next poller.</li>
 * </ul>
 */
@Component
@ConditionalOnExpression(TelegramConfig.ENABLED)
public class TelegramIngressErrorHandling extends RouteConfigurationBuilder {

    @Override
    public void configuration() {
        routeConfiguration("telegram-webhook")
                .onException(TelegramWebhookException.class)
                    .handled(true)
                    .process(TelegramWebhookRoutes::reject)
                .end()
                .onException(Exception.class)
                    .handled(true)
                    .process(TelegramWebhookRoutes::unavailable)
                .end();

        // the policy has no fluent setter on onException for allowRedeliveryWhileStopping: set it whole
        RedeliveryPolicyDefinition untilAccepted = new RedeliveryPolicyDefinition()
                .maximumRedeliveries(-1)
                .redeliveryDelay(1000)
                .useExponentialBackOff()
                .maximumRedeliveryDelay(30_000)
                .allowRedeliveryWhileStopping(false)
                .retryAttemptedLogLevel(LoggingLevel.WARN)
                .logRetryStackTrace(false);
        OnExceptionDefinition poll = routeConfiguration("telegram-poll").onException(Exception.class);
        poll.setRedeliveryPolicyType(untilAccepted);
        poll.handled(false).end();
    }
}
