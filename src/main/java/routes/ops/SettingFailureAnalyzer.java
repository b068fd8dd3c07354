package routes.ops;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;

/**
 * An invalid setting stops the start with one line naming it, its value, where it came from and what is wrong,
 * e.g. {@code Invalid setting caravan.access.default-policy=sometimes (from class path resource [caravan.yaml]):
 * must be one of open, pairing, allowlist}.
 */
public class SettingFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        if (cause.getCause() instanceof BindValidationException) {
            return null; // Spring Boot's own report lists every violated constraint
        }
        String name = cause.getName().toString();
        Object value = cause.getProperty() == null ? null : cause.getProperty().getValue();
        Origin origin = cause.getProperty() == null ? null : cause.getProperty().getOrigin();
        String shown = isSecret(name) ? "****" : String.valueOf(value);
        String line = "Invalid setting " + name + "=" + shown + (origin == null ? "" : " (from " + origin + ")") + ": "
                + reason(cause, cause.getTarget().getType().resolve());
        return new FailureAnalysis(line, "Correct " + name + " and start again.", cause);
    }

    private static String reason(BindException cause, Class<?> target) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        Class<?> type = expectedType(cause);
        if (type != null && type.isEnum()) {
            StringBuilder values = new StringBuilder();
            for (Object constant : type.getEnumConstants()) {
                values.append(values.length() == 0 ? "" : ", ").append(constant.toString().toLowerCase(
                        java.util.Locale.ROOT).replace('_', '-'));
            }
            return "must be one of " + values;
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replace('\n', ' ');
    }

    private static Class<?> expectedType(BindException cause) {
        Throwable t = cause.getCause();
        while (t != null) {
            if (t instanceof org.springframework.core.convert.ConversionFailedException failed
                    && failed.getTargetType() != null) {
                return failed.getTargetType().getType();
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }

    private static boolean isSecret(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith("token") || n.endsWith("secret") || n.endsWith("password") || n.endsWith("key")
                || n.contains("api-key") || n.contains("previous-keys");
    }
}
