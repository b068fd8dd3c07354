package routes.pipeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the words and phrases of a sensitive-word list in a text, case-insensitively, and masks them.
 *
 * <p>An entry matches on word boundaries, so {@code ass} finds "Ass!" but not "class"; a phrase matches with any
 * run of whitespace between its words. Chinese, Japanese and Korean text has no spaces between words, so an entry
 * with such characters matches wherever it appears. A mask is one asterisk per character of the match.
 *
 * <p>Immutable; {@link #streaming()} gives a masker for a text that arrives in pieces.
 */
public final class ContentFilter {

    /** The filter of an empty list: finds nothing. */
    public static final ContentFilter EMPTY = new ContentFilter(List.of());

    // a word character on either side means the entry is part of a longer word
    private static final String NOT_AFTER_WORD = "(?<![\\p{L}\\p{N}_])";
    private static final String NOT_BEFORE_WORD = "(?![\\p{L}\\p{N}_])";

    private final List<String> entries;
    private final Pattern pattern;
    private final int longest;

    private ContentFilter(List<String> entries) {
        this.entries = List.copyOf(entries);
        this.pattern = compile(this.entries);
        this.longest = this.entries.stream().mapToInt(String::length).max().orElse(0);
    }

    /**
     * The filter of a word list file's content: one word or phrase per line; blank lines and lines starting with
     * {@code #} are skipped.
     */
    public static ContentFilter parse(String content) {
        List<String> entries = new ArrayList<>();
        for (String line : content.split("\\R")) {
            String entry = line.strip();
            if (!entry.isEmpty() && !entry.startsWith("#")) {
                entries.add(entry);
            }
        }
        return of(entries);
    }

    /** The filter of these words and phrases (duplicates, ignoring case and spacing, count once). */
    public static ContentFilter of(Collection<String> words) {
        Map<String, String> unique = new LinkedHashMap<>();
        for (String word : words) {
            String entry = word == null ? "" : word.strip().replaceAll("\\s+", " ");
            if (!entry.isEmpty()) {
                unique.putIfAbsent(entry.toLowerCase(Locale.ROOT), entry);
            }
        }
        return unique.isEmpty() ? EMPTY : new ContentFilter(new ArrayList<>(unique.values()));
    }

    /** How many words and phrases the list has. */
    public int size() {
        return entries.size();
    }

    /** Whether the list is empty (nothing is ever found). */
    public boolean isEmpty() {
        return pattern == null;
    }

    /**
     * What the filter finds in a text.
     *
     * @param masked  the text with every match masked
     * @param matches how many matches there were
     */
    public record Result(String masked, int matches) {

        /** Whether anything was found. */
        public boolean found() {
            return matches > 0;
        }
    }

    /** Finds and masks the list's words in {@code text}. */
    public Result scan(String text) {
        if (pattern == null || text == null || text.isEmpty()) {
            return new Result(text, 0);
        }
        Matcher m = pattern.matcher(text);
        StringBuilder masked = new StringBuilder(text.length());
        int matches = 0;
        int at = 0;
        while (m.find()) {
            masked.append(text, at, m.start()).append(stars(text, m.start(), m.end()));
            at = m.end();
            matches++;
        }
        if (matches == 0) {
            return new Result(text, 0);
        }
        masked.append(text, at, text.length());
        return new Result(masked.toString(), matches);
    }

    /** A masker for one text that arrives in pieces (a streamed reply). */
    public Streaming streaming() {
        return new Streaming();
    }

    /**
     * Masks a text that arrives in pieces: each piece gives back the part that can be shown now, masked, and keeps
     * back the tail a listed word could still be completing (up to about twice the longest entry); {@link #finish}
     * gives the rest. The pieces given back concatenate to the masked whole. Safe for one writer at a time.
     */
    public final class Streaming {

        private final StringBuilder pending = new StringBuilder();
        // the last character already given back: tells whether a word starting now is part of a longer one
        private String before = "";

        /** Takes the next piece; returns the text that can be shown now (possibly empty). */
        public synchronized String accept(String piece) {
            pending.append(piece);
            if (pattern == null) {
                return flushAll();
            }
            String window = before + pending;
            int offset = before.length();
            // a phrase may be stretched by extra whitespace: keep back twice the longest entry
            int cut = Math.max(offset, window.length() - (2 * longest + 1));
            List<int[]> found = new ArrayList<>();
            Matcher m = pattern.matcher(window);
            while (m.find()) {
                if (m.start() < offset) {
                    continue;
                }
                if (m.start() >= cut) {
                    break;
                }
                if (m.end() > cut) {
                    cut = m.start();
                    break;
                }
                found.add(new int[] {m.start(), m.end()});
            }
            if (cut > offset && Character.isHighSurrogate(window.charAt(cut - 1))) {
                cut--;
            }
            return emit(window, offset, cut, found);
        }

        /** The rest of the text, masked; the masker is empty afterwards. */
        public synchronized String finish() {
            String window = before + pending;
            int offset = before.length();
            List<int[]> found = new ArrayList<>();
            if (pattern != null) {
                Matcher m = pattern.matcher(window);
                while (m.find()) {
                    if (m.start() >= offset) {
                        found.add(new int[] {m.start(), m.end()});
                    }
                }
            }
            return emit(window, offset, window.length(), found);
        }

        private String flushAll() {
            String all = pending.toString();
            pending.setLength(0);
            return all;
        }

        private String emit(String window, int offset, int cut, List<int[]> found) {
            StringBuilder out = new StringBuilder();
            int at = offset;
            for (int[] match : found) {
                out.append(window, at, match[0]).append(stars(window, match[0], match[1]));
                at = match[1];
            }
            out.append(window, at, cut);
            if (cut > offset) {
                before = window.substring(window.offsetByCodePoints(cut, -1), cut);
            }
            pending.setLength(0);
            pending.append(window, cut, window.length());
            return out.toString();
        }
    }

    private static String stars(String text, int start, int end) {
        return "*".repeat(text.codePointCount(start, end));
    }

    private static Pattern compile(List<String> entries) {
        if (entries.isEmpty()) {
            return null;
        }
        List<String> sorted = new ArrayList<>(entries);
        // longest first, so a phrase wins over a word it starts with
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        List<String> words = new ArrayList<>();
        List<String> substrings = new ArrayList<>();
        for (String entry : sorted) {
            (hasCjk(entry) ? substrings : words).add(literal(entry));
        }
        List<String> alternatives = new ArrayList<>();
        if (!words.isEmpty()) {
            alternatives.add(NOT_AFTER_WORD + "(?:" + String.join("|", words) + ")" + NOT_BEFORE_WORD);
        }
        if (!substrings.isEmpty()) {
            alternatives.add("(?:" + String.join("|", substrings) + ")");
        }
        return Pattern.compile(String.join("|", alternatives), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** The entry as a regex: its words literally, any whitespace between them. */
    private static String literal(String entry) {
        List<String> parts = new ArrayList<>();
        for (String word : entry.split(" ")) {
            parts.add(Pattern.quote(word));
        }
        return String.join("\\s+", parts);
    }

    private static boolean hasCjk(String entry) {
        return entry.codePoints().anyMatch(c -> {
            Character.UnicodeScript script = Character.UnicodeScript.of(c);
            return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                    || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
        });
    }
}
