package routes.channel.slack;

/** Text for Slack messages. */
public final class SlackText {

    private SlackText() {
    }

    /**
     * Escapes the three characters Slack treats as control sequences. Model output is untrusted: unescaped, a
     * {@code <!channel>} or {@code <@U…>} in a reply would notify a whole channel or a person.
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
