package routes.channel;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a reply into pieces a platform accepts (Telegram and WhatsApp: 4096 characters), preferring to cut at a
 * paragraph, then a line, then a sentence, then a word, and never inside a surrogate pair.
 */
public final class TextChunker {

    private TextChunker() {
    }

    public static List<String> split(String text, int max) {
        if (max < 2) {
            throw new IllegalArgumentException("max must be at least 2");
        }
        List<String> chunks = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return chunks;
        }
        String rest = text;
        while (rest.length() > max) {
            int cut = cutPoint(rest, max);
            String head = rest.substring(0, cut).stripTrailing();
            if (!head.isEmpty()) {
                chunks.add(head);
            }
            rest = rest.substring(cut).stripLeading();
        }
        if (!rest.isEmpty()) {
            chunks.add(rest);
        }
        return chunks;
    }

    private static int cutPoint(String text, int max) {
        String window = text.substring(0, max);
        for (String separator : new String[] {"\n\n", "\n", ". ", " "}) {
            int at = window.lastIndexOf(separator);
            if (at >= max / 2) {
                return at + separator.length();
            }
        }
        int cut = max;
        if (Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return cut;
    }
}
