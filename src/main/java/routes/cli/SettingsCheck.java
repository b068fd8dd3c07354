package routes.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import routes.ops.SettingFailureAnalyzer;

/**
 * Binds every settings class the way the gateway does and reports each {@code caravan.*} value it would refuse
 * (FAIL, in the words the refused start-up would use) and each {@code caravan.*} name in a file or on the command
 * line that nothing reads (WARN: Spring ignores it silently, so a misspelt setting just does nothing), with the
 * nearest known name. Environment variables are not searched for unknown names: {@code CARAVAN_MODEL} and the like
 * are read through placeholders, not as settings.
 */
final class SettingsCheck {

    private static final ConfigurationPropertyName CARAVAN = ConfigurationPropertyName.of("caravan");
    private static final LevenshteinDistance DISTANCE = new LevenshteinDistance(6);

    private SettingsCheck() {
    }

    static List<Check> check(ConfigurableEnvironment environment, SettingsCatalog catalog) {
        Binder binder = Binder.get(environment);
        Recorder recorder = new Recorder();
        for (SettingsCatalog.SettingsClass settings : catalog.classes()) {
            binder.bind(settings.prefix(), Bindable.of(settings.type()), recorder);
        }
        List<Check> checks = new ArrayList<>();
        recorder.invalid.forEach(line -> checks.add(Check.fail("setting", line,
                "correct it: the gateway refuses to start with it")));

        Map<ConfigurationPropertyName, Origin> unknown = new LinkedHashMap<>();
        Set<ConfigurationPropertyName> seen = new HashSet<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.from(searched(environment))) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            iterable.stream().filter(CARAVAN::isAncestorOf).forEach(name -> {
                seen.add(name);
                if (!recorder.bound.contains(name) && !catalog.names().contains(name)) {
                    ConfigurationProperty property = source.getConfigurationProperty(name);
                    unknown.putIfAbsent(name, property == null ? null : property.getOrigin());
                }
            });
        }
        unknown.forEach((name, origin) -> checks.add(Check.warn("setting", name + (origin == null ? ""
                        : " (from " + origin + ")") + " is not a Caravan setting and is ignored",
                nearest(name, recorder.bound, catalog.names()).map(n -> "did you mean " + n + "?")
                        .orElse("check its spelling (README, Configuration reference)"))));
        if (checks.isEmpty()) {
            checks.add(Check.ok("settings", seen.size() + " caravan.* settings in the files, all known and valid"));
        }
        return checks;
    }

    /** The sources a person writes settings into: files and the command line, not the environment. */
    private static List<PropertySource<?>> searched(ConfigurableEnvironment environment) {
        List<PropertySource<?>> sources = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            String name = source.getName();
            if (!name.equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)
                    && !name.equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME)
                    && !ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
                sources.add(source);
            }
        }
        return sources;
    }

    /**
     * The known name nearest to {@code name}: the whole name a few typing errors away, else (for an entry of a map
     * such as {@code caravan.models.providers.<name>.type}) the same name with its last part corrected.
     */
    static Optional<String> nearest(ConfigurationPropertyName name, Set<ConfigurationPropertyName> bound,
                                    Set<ConfigurationPropertyName> documented) {
        Set<ConfigurationPropertyName> known = new HashSet<>(bound);
        known.addAll(documented);
        String wrong = name.toString();
        Optional<String> whole = closest(wrong, known.stream().map(ConfigurationPropertyName::toString).toList());
        if (whole.isPresent() || name.getNumberOfElements() < 3) {
            return whole;
        }
        ConfigurationPropertyName grandparent = name.getParent().getParent();
        List<String> lastParts = known.stream()
                .filter(k -> k.getNumberOfElements() == name.getNumberOfElements() && grandparent.isAncestorOf(k))
                .map(k -> k.getLastElement(ConfigurationPropertyName.Form.DASHED)).distinct().toList();
        return closest(name.getLastElement(ConfigurationPropertyName.Form.DASHED), lastParts)
                .map(last -> name.getParent() + "." + last);
    }

    private static Optional<String> closest(String wrong, List<String> candidates) {
        int allowed = Math.max(2, wrong.length() / 8);
        return candidates.stream()
                .map(candidate -> Map.entry(candidate, DISTANCE.apply(wrong, candidate)))
                .filter(e -> e.getValue() >= 0 && e.getValue() <= allowed)
                .min(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    /** Notes what was bound, and every value that could not be, then goes on binding the rest. */
    private static final class Recorder implements BindHandler {

        private final Set<ConfigurationPropertyName> bound = new HashSet<>();
        private final List<String> invalid = new ArrayList<>();

        @Override
        public Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                                Object result) {
            bound.add(name);
            return result;
        }

        @Override
        public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                                Exception error) {
            // a setter refusing a value fails its whole group; the property then is whichever was read last
            ConfigurationProperty property = context.getConfigurationProperty();
            invalid.add(SettingFailureAnalyzer.describe(name.toString(),
                    property != null && property.getName().equals(name) ? property : null, error));
            return target.getValue() == null ? null : target.getValue().get();
        }
    }
}
