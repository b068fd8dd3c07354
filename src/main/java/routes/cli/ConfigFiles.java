package routes.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The two files {@code caravan onboard} writes next to the process: {@value #SETTINGS} with the settings (Spring
 * Boot imports it through application.yaml) and {@value #SECRETS} with the secrets, readable by its owner only and
 * imported from {@value #SETTINGS}. An existing file is replaced only when the caller says so, and then kept as
 * {@code <name>.bak}.
 */
final class ConfigFiles {

    /** The settings file application.yaml imports. */
    static final String SETTINGS = "caravan.yaml";

    /** The secrets file the settings file imports. */
    static final String SECRETS = "caravan-secrets.yaml";

    /** How the settings file imports the secrets file (relative to the working directory, as caravan.yaml is). */
    static final String SECRETS_IMPORT = "optional:file:./" + SECRETS;

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    ConfigFiles(Path dir) {
        this.dir = dir;
    }

    Path settingsFile() {
        return dir.resolve(SETTINGS);
    }

    Path secretsFile() {
        return dir.resolve(SECRETS);
    }

    /** Those of the two files that exist already. */
    List<Path> existing() {
        List<Path> found = new ArrayList<>();
        for (Path file : List.of(settingsFile(), secretsFile())) {
            if (Files.exists(file)) {
                found.add(file);
            }
        }
        return found;
    }

    /**
     * Writes both files: the secrets first (owner read/write only from the moment it exists), then the settings,
     * which import the secrets.
     *
     * @param settings dotted setting names and their values (strings, booleans, lists, maps)
     * @param secrets  dotted secret setting names and their values
     * @param replace  whether existing files may be replaced (each is kept as {@code .bak} first)
     * @throws FileAlreadyExistsException when a file exists and {@code replace} is false
     */
    void write(Map<String, Object> settings, Map<String, Object> secrets, boolean replace) throws IOException {
        if (!replace && !existing().isEmpty()) {
            throw new FileAlreadyExistsException(existing().get(0).toString());
        }
        Map<String, Object> withImport = new LinkedHashMap<>();
        withImport.put("spring.config.import", SECRETS_IMPORT);
        withImport.putAll(settings);
        writeOwnerOnly(secretsFile(), yaml("""
                # Caravan's secrets, written by `caravan onboard`. Keep this file to yourself: it is readable by its
                # owner only (chmod 600) and must never be committed. caravan.yaml imports it.
                """, secrets), replace);
        writeShared(settingsFile(), yaml("""
                # Caravan's settings, written by `caravan onboard`; read at start-up from the working directory
                # (application.yaml imports it). Secrets live in caravan-secrets.yaml, imported below.
                # Every setting: README.md, "Configuration reference". Check this file with `caravan doctor`.
                """, withImport), replace);
    }

    /** A YAML document of the nested form of {@code flat}, after {@code header} comment lines. */
    static String yaml(String header, Map<String, Object> flat) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(120);
        return header + new Yaml(options).dump(nest(flat));
    }

    /** {@code a.b.c=v} as {@code {a: {b: {c: v}}}}, keeping the order the names came in. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> nest(Map<String, Object> flat) {
        Map<String, Object> root = new LinkedHashMap<>();
        flat.forEach((name, value) -> {
            String[] parts = name.split("\\.");
            Map<String, Object> node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
            }
            node.put(parts[parts.length - 1], value);
        });
        return root;
    }

    private static void writeShared(Path file, String content, boolean replace) throws IOException {
        backUp(file, replace);
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                replace ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
    }

    /** Written to a temporary file that is owner-only from its creation, then moved into place. */
    private static void writeOwnerOnly(Path file, String content, boolean replace) throws IOException {
        backUp(file, replace);
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
        Path temp = posix
                ? Files.createTempFile(dir, ".caravan-secrets", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, ".caravan-secrets", ".tmp");
        try {
            if (!posix) {
                var f = temp.toFile();
                f.setReadable(false, false);
                f.setWritable(false, false);
                f.setReadable(true, true);
                f.setWritable(true, true);
            }
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            if (replace) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.move(temp, file);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void backUp(Path file, boolean replace) throws IOException {
        if (replace && Files.exists(file)) {
            Files.copy(file, file.resolveSibling(file.getFileName() + ".bak"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}
