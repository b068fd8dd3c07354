package routes.channel.slack;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;

/**
 * The Slack channel is on: {@code caravan.channels.slack.bot-token} is set and not blank (an environment variable
 * set to an empty string counts as not configured).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ConditionalOnExpression("!'${caravan.channels.slack.bot-token:}'.isBlank()")
public @interface ConditionalOnSlack {
}
