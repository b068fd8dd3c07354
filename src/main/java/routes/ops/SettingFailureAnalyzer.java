package routes.ops;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
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
        String line = describe(name, cause.getProperty(), cause.getCause() == null ? cause : cause.getCause());
        return new FailureAnalysis(line, "Correct " + name + " and start again.", cause);
    }

    /**
     * The one line that names an invalid setting, its value (never a secret's), where it came from and what is
     * wrong; the start-up failure and {@code caravan doctor} report it alike.
     *
     * @param name     the setting, e.g. {@code caravan.access.default-policy}
     * @param property the value and its origin as the binder saw them; {@code null} when the failure is about a
     *                 group of settings (a setter refused the value)
     * @param error    why it could not be bound
     */
    public static String describe(String name, ConfigurationProperty property, Throwable error) {
        String setting = name;
        if (property != null) {
            setting += "=" + (isSecret(name) ? "****" : String.valueOf(property.getValue()));
            Origin origin = property.getOrigin();
            setting += origin == null ? "" : " (from " + origin + ")";
        }
        return "Invalid setting " + setting + ": " + reason(error);
    }

    private static String reason(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        Class<?> type = expectedType(error);
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

    private static Class<?> expectedType(Throwable error) {
        Throwable t = error;
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
