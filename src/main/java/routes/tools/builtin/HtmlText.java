package routes.tools.builtin;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeVisitor;

/**
 * The readable text of an HTML page: no scripts, styles or markup, whitespace collapsed, and a line break where a
 * block (paragraph, heading, list item, table row …) ends, so the model still sees the page's structure.
 */
final class HtmlText {

    private HtmlText() {
    }

    /** A page's title (may be empty) and text. */
    record Page(String title, String text) {
    }

    /**
     * Extracts the text of {@code html}. {@code charset} is the one the Content-Type named, or null to let the page's
     * own {@code <meta charset>} decide (UTF-8 when it names none).
     */
    static Page extract(byte[] html, String charset, String baseUri) {
        Document document;
        try {
            document = Jsoup.parse(new ByteArrayInputStream(html), charset, baseUri);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String title = document.title().strip();
        document.select("script, style, noscript, template, svg, iframe, object, head").remove();
        var text = new StringBuilder();
        document.body().traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode textNode) {
                    // a line break in HTML source is just a space, except in preformatted text
                    String whole = textNode.getWholeText();
                    boolean preformatted = textNode.parentElement() != null
                            && textNode.parentElement().closest("pre") != null;
                    text.append(preformatted ? whole : whole.replace('\r', ' ').replace('\n', ' '));
                } else if (node instanceof Element element && (element.isBlock() || element.nameIs("br"))) {
                    text.append('\n');
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element && element.isBlock()) {
                    text.append('\n');
                }
            }
        });
        return new Page(title, collapse(text));
    }

    /** Runs of spaces become one space, lines are trimmed, and empty lines go. */
    static String collapse(CharSequence text) {
        var out = new StringBuilder(text.length());
        for (String line : text.toString().split("\n")) {
            String collapsed = line.replaceAll("[\\s\\u00a0]+", " ").strip();
            if (!collapsed.isEmpty()) {
                out.append(collapsed).append('\n');
            }
        }
        return out.toString().strip();
    }
}
