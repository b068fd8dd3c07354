package routes.cli;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.RandomValuePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The configuration as the gateway sees it, read the way Spring Boot reads it at start-up, without starting
 * anything: command-line {@code --key=value}, environment variables and system properties, application.yaml with its
 * profile documents, and what it imports ({@code ./caravan.yaml}, which imports {@code ./caravan-secrets.yaml}).
 */
final class CaravanConfig {

    private CaravanConfig() {
    }

    /** Loads the configuration; {@code args} may hold {@code --key=value} overrides, as for the gateway. */
    static ConfigurableEnvironment load(String... args) {
        StandardEnvironment environment = new StandardEnvironment();
        if (args.length > 0) {
            environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        }
        RandomValuePropertySource.addToEnvironment(environment);
        ConfigDataEnvironmentPostProcessor.applyTo(environment);
        return environment;
    }

    /** The configuration files that were read, in order of precedence (e.g. {@code file [caravan.yaml]}). */
    static List<String> files(ConfigurableEnvironment environment) {
        List<String> names = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof OriginTrackedMapPropertySource) {
                // "Config resource 'file [caravan.yaml]' via location 'optional:file:./caravan.yaml'"
                String name = source.getName();
                int start = name.indexOf('\'');
                int end = start < 0 ? -1 : name.indexOf('\'', start + 1);
                String file = end > start ? name.substring(start + 1, end) : name;
                if (!names.contains(file)) {
                    names.add(file);
                }
            }
        }
        return names;
    }
}
