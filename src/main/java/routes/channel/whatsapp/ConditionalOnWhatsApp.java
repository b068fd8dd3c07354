package routes.channel.whatsapp;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;

/**
 * The WhatsApp channel is on: {@code caravan.channels.whatsapp.access-token} is set and not blank (an environment
 * variable set to an empty string counts as not configured).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ConditionalOnExpression("!'${caravan.channels.whatsapp.access-token:}'.isBlank()")
public @interface ConditionalOnWhatsApp {
}
