package routes.tools.builtin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.InvalidPathException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import routes.tools.ToolDefinition;

/**
 * {@code file-search}: finds files under one configured folder whose name or text contains the query
 * (case-insensitive) and lists them with the first matching line.
 *
 * <p>Only that folder is ever read. The optional sub-folder must be relative and free of {@code ..}, and its real
 * path (symbolic links resolved) must lie inside the folder's real path. While walking, symbolic links to folders are
 * not followed and a linked file is read only when its target is inside the folder too. Hidden files and folders
 * (names starting with a dot) are skipped. Limits: files looked at, bytes read per file, matches listed.
 */
public class FileSearchTool implements BuiltInTool {

    static final String NAME = "file-search";

    private static final String SCHEMA = """
            {"type":"object",\
            "properties":{\
            "query":{"type":"string","minLength":1,\
            "description":"Text to look for in file names and contents, case-insensitive"},\
            "path":{"type":"string",\
            "description":"Optional sub-folder to search in, relative to the shared folder, e.g. docs/howto"}},\
            "required":["query"],"additionalProperties":false}""";

    private static final int EXCERPT_CHARS = 160;
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:.*");

    private final Path root;
    private final FileSearchProperties properties;

    /** @throws IllegalArgumentException when the configured root is not an existing folder */
    public FileSearchTool(FileSearchProperties properties) {
        this.properties = properties;
        try {
            this.root = Path.of(properties.getRoot()).toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("caravan.tools.files.root " + properties.getRoot()
                    + " is not an existing folder", e);
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("caravan.tools.files.root " + properties.getRoot() + " is not a folder");
        }
    }

    @Override
    public ToolDefinition definition() {
        return new ToolDefinition(NAME, "Search the shared document folder for files whose name or text contains "
                + "the query (case-insensitive). Returns the matching files' paths, each with the first matching "
                + "line. Optionally limit the search to a sub-folder. Read-only.", SCHEMA, null, false, false);
    }

    @Override
    public String run(ToolInput input) {
        String query = input.text("query").strip();
        String subPath = input.optionalText("path");
        Path start;
        try {
            start = resolve(subPath == null ? "" : subPath.strip());
        } catch (Refusal e) {
            return "refused: " + e.getMessage();
        }
        var search = new Search(query.toLowerCase(Locale.ROOT));
        try {
            Files.walkFileTree(start, search);
        } catch (IOException e) {
            return "failed: the folder could not be read";
        }
        return search.result(query);
    }

    /** The real path of the sub-folder, which must be inside the root. */
    private Path resolve(String subPath) throws Refusal {
        if (subPath.isEmpty() || subPath.equals(".")) {
            return root;
        }
        if (subPath.startsWith("/") || subPath.startsWith("\\") || WINDOWS_DRIVE.matcher(subPath).matches()) {
            throw new Refusal("the path must be relative to the shared folder");
        }
        for (String segment : subPath.split("[/\\\\]")) {
            if (segment.equals("..")) {
                throw new Refusal("the path may not contain ..");
            }
        }
        if (subPath.indexOf('\0') >= 0) {
            throw new Refusal("the path is not valid");
        }
        Path real;
        try {
            real = root.resolve(subPath).normalize().toRealPath();
        } catch (IOException | InvalidPathException e) {
            throw new Refusal("no folder " + subPath + " in the shared folder");
        }
        if (!real.startsWith(root)) {
            throw new Refusal("the path leads outside the shared folder");
        }
        if (!Files.isDirectory(real)) {
            throw new Refusal(subPath + " is not a folder");
        }
        return real;
    }

    /** One walk: collects matches until a limit is reached. */
    private final class Search extends SimpleFileVisitor<Path> {

        private final String needle;
        private final List<String> matches = new ArrayList<>();
        private int scanned;
        private boolean stoppedEarly;

        Search(String needle) {
            this.needle = needle;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return !dir.equals(root) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (hidden(file)) {
                return FileVisitResult.CONTINUE;
            }
            Path readable = attrs.isSymbolicLink() ? linkTargetInside(file) : attrs.isRegularFile() ? file : null;
            if (readable == null) {
                return FileVisitResult.CONTINUE;
            }
            if (scanned == properties.getMaxFiles() || matches.size() == properties.getMaxResults()) {
                stoppedEarly = true;
                return FileVisitResult.TERMINATE;
            }
            scanned++;
            String relative = root.relativize(file).toString().replace('\\', '/');
            String line = firstMatchingLine(readable);
            if (line != null) {
                matches.add(relative + ": " + line);
            } else if (file.getFileName().toString().toLowerCase(Locale.ROOT).contains(needle)) {
                matches.add(relative + " (name matches)");
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // unreadable: not a match
        }

        private boolean hidden(Path path) {
            return path.getFileName() != null && path.getFileName().toString().startsWith(".");
        }

        /** The real file a symbolic link points to, or null when that is outside the root or not a file. */
        private Path linkTargetInside(Path link) {
            try {
                Path target = link.toRealPath();
                boolean inside = target.startsWith(root) && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS);
                return inside ? target : null;
            } catch (IOException e) {
                return null;
            }
        }

        /** {@code line N: excerpt} of the first line containing the needle, or null; binary files never match. */
        private String firstMatchingLine(Path file) {
            byte[] bytes;
            // no following links here: a file swapped for a link since the walk saw it is not read
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, properties.getMaxFileBytes().toBytes()));
            } catch (IOException e) {
                return null;
            }
            for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
                if (bytes[i] == 0) {
                    return null;
                }
            }
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                int at = lines[i].toLowerCase(Locale.ROOT).indexOf(needle);
                if (at >= 0) {
                    return "line " + (i + 1) + ": " + excerpt(lines[i], at);
                }
            }
            return null;
        }

        private String excerpt(String line, int at) {
            String text = line.strip();
            if (text.length() <= EXCERPT_CHARS) {
                return text;
            }
            int offset = line.indexOf(text);
            int from = Math.max(0, Math.min(at - offset - EXCERPT_CHARS / 3, text.length() - EXCERPT_CHARS));
            return (from > 0 ? "…" : "") + text.substring(from, from + EXCERPT_CHARS)
                    + (from + EXCERPT_CHARS < text.length() ? "…" : "");
        }

        String result(String query) {
            var out = new StringBuilder();
            if (matches.isEmpty()) {
                out.append("no files match \"").append(query).append("\" (").append(scanned).append(" files searched)");
            } else {
                out.append(matches.size()).append(matches.size() == 1 ? " file matches \"" : " files match \"")
                        .append(query).append("\" (").append(scanned).append(" files searched):");
                matches.forEach(match -> out.append("\n- ").append(match));
            }
            if (stoppedEarly) {
                out.append("\nThe search stopped at its limit; narrow the query or give a sub-folder.");
            }
            return out.toString();
        }
    }

    /** A path the tool will not search; the message is the reason. */
    private static final class Refusal extends Exception {

        Refusal(String reason) {
            super(reason, null, false, false);
        }
    }
}
