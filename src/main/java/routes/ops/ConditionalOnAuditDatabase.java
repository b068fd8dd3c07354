package routes.ops;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * On when {@code caravan.audit.jdbc.url} is set and not blank (an environment variable set to an empty string counts
 * as not configured). Read as a plain property rather than through SpEL, so no character of a URL can break it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@Conditional(ConditionalOnAuditDatabase.Configured.class)
public @interface ConditionalOnAuditDatabase {

    /** The condition: a non-blank {@code caravan.audit.jdbc.url}. */
    class Configured implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return StringUtils.hasText(context.getEnvironment().getProperty("caravan.audit.jdbc.url"));
        }
    }
}
