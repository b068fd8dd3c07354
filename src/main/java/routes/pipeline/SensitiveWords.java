package routes.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The sensitive-word list of {@code caravan.content-filter.words-file}, as a {@link ContentFilter}: created empty
 * on first start when missing, and read again whenever the file's time or size changes ({@link #reloadIfChanged},
 * called by the {@code content-filter-reload} route), so an edit applies without a restart. A file that cannot be
 * read keeps the list that was in use. The words themselves are never logged.
 */
@Component
public class SensitiveWords {

    private static final Logger LOG = LoggerFactory.getLogger(SensitiveWords.class);

    private static final String NEW_FILE = """
            # Sensitive words and phrases, one per line; lines starting with # are comments.
            # Matched case-insensitively on word boundaries; Chinese, Japanese and Korean entries anywhere in a text.
            # Changes apply within seconds (caravan.content-filter.*).
            """;

    private final Path file;
    private volatile ContentFilter current = ContentFilter.EMPTY;
    private FileTime loadedTime;
    private long loadedSize = -1;

    public SensitiveWords(ContentFilterProperties properties) {
        String name = properties.getWordsFile();
        this.file = properties.isEnabled() && name != null && !name.isBlank() ? Path.of(name.strip()) : null;
        if (file != null) {
            createIfMissing();
            reloadIfChanged();
        }
    }

    /** The list in use (empty when there is none). */
    public ContentFilter current() {
        return current;
    }

    /** The word list file, or {@code null} when there is none. */
    public Path file() {
        return file;
    }

    /** Reads the file again when it changed since it was last read. */
    public synchronized void reloadIfChanged() {
        if (file == null) {
            return;
        }
        try {
            if (!Files.exists(file)) {
                if (loadedSize >= 0) {
                    LOG.warn("content filter: {} is gone; keeping the {} words read before", file, current.size());
                    loadedSize = -1;
                }
                return;
            }
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.lastModifiedTime().equals(loadedTime) && attributes.size() == loadedSize) {
                return;
            }
            current = ContentFilter.parse(Files.readString(file, StandardCharsets.UTF_8));
            loadedTime = attributes.lastModifiedTime();
            loadedSize = attributes.size();
            LOG.info("content filter: read {} (words and phrases: {})", file.toAbsolutePath().normalize(),
                    current.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("content filter: could not read {} ({}); keeping the {} words read before", file, e.toString(),
                    current.size());
        }
    }

    private void createIfMissing() {
        try {
            if (!Files.exists(file)) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(file, NEW_FILE, StandardCharsets.UTF_8);
                LOG.info("content filter: created an empty word list at {}", file.toAbsolutePath().normalize());
            }
        } catch (IOException e) {
            LOG.warn("content filter: could not create {} ({}); no word list until it exists", file, e.toString());
        }
    }
}
