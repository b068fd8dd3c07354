package routes.channel;

/** When the bot answers in a group chat; direct chats are always answered. */
public enum GroupPolicy {
    /** Only when the bot is mentioned or a message replies to the bot. */
    MENTION,
    /** Every message. */
    ALWAYS,
    /** Never in groups. */
    NEVER;

    /**
     * Whether a message should be answered.
     *
     * @param group        whether the chat is a group
     * @param addressed    whether the bot was mentioned, or the message replies to the bot
     */
    public boolean answers(boolean group, boolean addressed) {
        if (!group) {
            return true;
        }
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case MENTION -> addressed;
        };
    }
}
