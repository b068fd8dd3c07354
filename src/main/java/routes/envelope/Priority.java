package routes.envelope;

import com.fasterxml.jackson.annotation.JsonValue;

/** Message priority; each has its own inbound topic and consumers, so a batch backlog never delays urgent work. */
public enum Priority {
    URGENT, REALTIME, BATCH, LOW;

    @JsonValue
    public String json() {
        return name().toLowerCase();
    }
}
