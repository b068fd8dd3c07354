package routes.pipeline;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The sensitive-word filter of messages and replies ({@code caravan.content-filter.*}). */
@ConfigurationProperties("caravan.content-filter")
public class ContentFilterProperties {

    /** What happens to a text that contains a listed word. Every match also writes a content.flagged audit event. */
    public enum Action {
        /** Each match becomes asterisks of its length; the text goes on. */
        MASK,
        /** A message is not sent to the model, a reply is not sent: the person gets the block reply instead. */
        BLOCK,
        /** The text goes on unchanged; only the audit event tells. */
        FLAG
    }

    /** Whether messages and replies are checked against the word list (an empty list checks nothing). */
    private boolean enabled = true;

    /**
     * The word list: one word or phrase per line, {@code #} starts a comment line. Created empty when missing;
     * reloaded when it changes. Empty = no list.
     */
    private String wordsFile = "./config/sensitive-words.txt";

    /** How often the word list file is looked at for changes. */
    private Duration reloadInterval = Duration.ofSeconds(2);

    /** What happens to an incoming message with a listed word (before commands and the model). */
    private Action inputAction = Action.MASK;

    /** What happens to a model reply with a listed word (before it is sent; streamed drafts are masked too). */
    private Action outputAction = Action.MASK;

    /** The reply a person gets instead, when a message or a reply is blocked. */
    private String blockReply = "Sorry, I can't help with that.";

    /** Actions of one channel, e.g. {@code telegram: {input-action: block}}; unset values use the ones above. */
    private java.util.Map<String, ChannelActions> channels = new java.util.LinkedHashMap<>();

    public java.util.Map<String, ChannelActions> getChannels() { return channels; }
    public void setChannels(java.util.Map<String, ChannelActions> channels) { this.channels = channels; }

    /** The action for incoming messages of {@code channel}. */
    public Action inputAction(String channel) {
        ChannelActions c = channels.get(channel);
        return c != null && c.getInputAction() != null ? c.getInputAction() : inputAction;
    }

    /** The action for replies on {@code channel}. */
    public Action outputAction(String channel) {
        ChannelActions c = channels.get(channel);
        return c != null && c.getOutputAction() != null ? c.getOutputAction() : outputAction;
    }

    /** One channel's actions; null inherits. */
    public static class ChannelActions {

        private Action inputAction;
        private Action outputAction;

        public Action getInputAction() { return inputAction; }
        public void setInputAction(Action inputAction) { this.inputAction = inputAction; }
        public Action getOutputAction() { return outputAction; }
        public void setOutputAction(Action outputAction) { this.outputAction = outputAction; }
    }

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public String getWordsFile() { return wordsFile; }
    public void setWordsFile(String wordsFile) { this.wordsFile = wordsFile; }
    public Duration getReloadInterval() { return reloadInterval; }
    public void setReloadInterval(Duration reloadInterval) { this.reloadInterval = reloadInterval; }
    public Action getInputAction() { return inputAction; }
    public void setInputAction(Action inputAction) { this.inputAction = inputAction; }
    public Action getOutputAction() { return outputAction; }
    public void setOutputAction(Action outputAction) { this.outputAction = outputAction; }
    public String getBlockReply() { return blockReply; }
    public void setBlockReply(String blockReply) { this.blockReply = blockReply; }
}
