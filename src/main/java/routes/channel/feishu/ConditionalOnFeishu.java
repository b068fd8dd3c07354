package routes.channel.feishu;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;

/**
 * The Feishu channel is on when {@code caravan.channels.feishu.app-id} is set and not blank (an environment
 * variable set to an empty string counts as not configured).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@ConditionalOnExpression("!'${caravan.channels.feishu.app-id:}'.isBlank()")
public @interface ConditionalOnFeishu {
}
