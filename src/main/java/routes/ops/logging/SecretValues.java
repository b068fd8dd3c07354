package routes.ops.logging;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * The values of the configured secrets: every property (application.yaml, caravan.yaml, environment variables,
 * system properties, command line) whose name ends in token, secret, key, password or api-key, resolved as the
 * application sees it. The log redactor masks them verbatim.
 */
public final class SecretValues {

    private static final String[] SUFFIXES = {"token", "secret", "key", "password", "apikey"};

    private SecretValues() {
    }

    /** Whether a property of this name holds a secret ({@code OPENAI_API_KEY}, {@code caravan.admin.token} …). */
    public static boolean isSecretName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        for (String suffix : SUFFIXES) {
            if (n.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** The non-empty values of the secret properties of {@code environment}. */
    public static Set<String> of(ConfigurableEnvironment environment) {
        Set<String> values = new LinkedHashSet<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> enumerable)) {
                continue;
            }
            for (String name : enumerable.getPropertyNames()) {
                if (!isSecretName(name)) {
                    continue;
                }
                String value = resolved(environment, enumerable, name);
                if (value != null && !value.isBlank()) {
                    values.add(value.strip());
                }
            }
        }
        return values;
    }

    private static String resolved(ConfigurableEnvironment environment, EnumerablePropertySource<?> source,
            String name) {
        try {
            String value = environment.getProperty(name);
            if (value == null) {
                // a name only this source knows in this form (an environment variable's own spelling)
                Object raw = source.getProperty(name);
                value = raw == null ? null : environment.resolvePlaceholders(String.valueOf(raw));
            }
            return value;
        } catch (RuntimeException unresolvable) {
            return null;
        }
    }
}
