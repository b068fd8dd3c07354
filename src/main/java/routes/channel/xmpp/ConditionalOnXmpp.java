package routes.channel.xmpp;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;

/**
 * The XMPP channel is on when both {@code caravan.channels.xmpp.host} and {@code caravan.channels.xmpp.user} are
 * set and not blank (an environment variable set to an empty string counts as not configured).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@ConditionalOnExpression("!'${caravan.channels.xmpp.host:}'.isBlank() and !'${caravan.channels.xmpp.user:}'.isBlank()")
public @interface ConditionalOnXmpp {
}
