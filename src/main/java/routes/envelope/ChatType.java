package routes.envelope;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a conversation is one person with the bot, or a group. */
public enum ChatType {
    DIRECT, GROUP;

    @JsonValue
    public String json() {
        return name().toLowerCase();
    }
}
