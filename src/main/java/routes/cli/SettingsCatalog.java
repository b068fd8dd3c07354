package routes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Every {@code caravan.*} setting the gateway knows, from the configuration metadata the build generates
 * ({@code META-INF/spring-configuration-metadata.json}: the {@code @ConfigurationProperties} classes, plus the
 * settings read without one, declared in {@code additional-spring-configuration-metadata.json}).
 *
 * @param classes the settings classes and the prefix each is bound at, as the gateway binds them
 * @param names   every documented setting name
 */
record SettingsCatalog(List<SettingsClass> classes, Set<ConfigurationPropertyName> names) {

    /** A settings class and its prefix. */
    record SettingsClass(String prefix, Class<?> type) {
    }

    static final String METADATA = "META-INF/spring-configuration-metadata.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the catalog from the class path. */
    static SettingsCatalog load() {
        ClassLoader loader = SettingsCatalog.class.getClassLoader();
        List<SettingsClass> classes = new ArrayList<>();
        Set<ConfigurationPropertyName> names = new LinkedHashSet<>();
        try {
            Enumeration<URL> files = loader.getResources(METADATA);
            while (files.hasMoreElements()) {
                JsonNode root;
                try (InputStream in = files.nextElement().openStream()) {
                    root = JSON.readTree(in);
                }
                for (JsonNode group : root.path("groups")) {
                    String name = group.path("name").asText();
                    String type = group.path("type").asText();
                    // a class's own group, not a nested one reached through a getter
                    if (isCaravan(name) && type.equals(group.path("sourceType").asText())
                            && !group.has("sourceMethod")) {
                        classes.add(new SettingsClass(name, Class.forName(type, false, loader)));
                    }
                }
                for (JsonNode property : root.path("properties")) {
                    String name = property.path("name").asText();
                    if (isCaravan(name)) {
                        names.add(ConfigurationPropertyName.of(name));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + METADATA, e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(METADATA + " names a class that is missing: " + e.getMessage(), e);
        }
        return new SettingsCatalog(List.copyOf(classes), Set.copyOf(names));
    }

    private static boolean isCaravan(String name) {
        return name.equals("caravan") || name.startsWith("caravan.");
    }
}
