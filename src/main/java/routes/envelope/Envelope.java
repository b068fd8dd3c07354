package routes.envelope;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one message shape on every Kafka topic (DESIGN.md §2), version 1.
 *
 * <p>Inbound messages and replies share it; a reply carries {@code inReplyTo}. Fields this version does not know
 * are collected in {@code extra} and written back out, so a newer producer's data survives an older consumer.
 *
 * @param v            schema version, {@link #VERSION}
 * @param id           stable id: derived from the platform's own event id where one exists, so retries dedupe
 * @param traceId      correlation id carried through logs, from ingress to reply
 * @param channel      channel name: websocket, rest, openai, telegram, slack …
 * @param account      the bot or workspace account on the channel, when a channel has several
 * @param chatId       the conversation on the channel
 * @param chatType     direct or group
 * @param senderId     who wrote it, in the channel's terms
 * @param senderName   display name of the sender, when known
 * @param text         message text
 * @param attachments  attachment descriptors (kind, url, name, mime type …)
 * @param mentioned    whether the bot was mentioned (group chats)
 * @param replyTo      the platform message this one answers, for threading
 * @param priority     urgent, realtime, batch or low
 * @param instance     id of the Caravan instance holding the client connection (connection-bound channels)
 * @param receivedAt   when Caravan accepted it
 * @param metadata     channel specific string values
 * @param inReplyTo    on a reply: the id of the message it answers
 * @param context      prior turns supplied by the client itself (stateless OpenAI-compatible requests)
 * @param extra        fields this version does not know, kept as they came
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope(
        int v,
        String id,
        String traceId,
        String channel,
        String account,
        String chatId,
        ChatType chatType,
        String senderId,
        String senderName,
        String text,
        List<Map<String, Object>> attachments,
        Boolean mentioned,
        String replyTo,
        Priority priority,
        String instance,
        Instant receivedAt,
        Map<String, String> metadata,
        String inReplyTo,
        List<Turn> context,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    /** The schema version this code writes. */
    public static final int VERSION = 1;

    public Envelope {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    /** The Kafka record key: one chat stays on one partition, so its messages keep their order. */
    public String kafkaKey() {
        return channel + ":" + chatId;
    }

    /** The Redis dedupe key: the same message id in the same chat of the same channel is the same message. */
    public String dedupeKey() {
        return channel + ":" + chatId + ":" + id;
    }

    /** A metadata value, or {@code null}. */
    public String meta(String key) {
        return metadata.get(key);
    }

    /** Whether this envelope is a reply. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isReply() {
        return inReplyTo != null;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds envelopes; {@code v} is always {@link #VERSION}. */
    public static final class Builder {
        private String id;
        private String traceId;
        private String channel;
        private String account;
        private String chatId;
        private ChatType chatType;
        private String senderId;
        private String senderName;
        private String text;
        private List<Map<String, Object>> attachments;
        private Boolean mentioned;
        private String replyTo;
        private Priority priority;
        private String instance;
        private Instant receivedAt;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private String inReplyTo;
        private List<Turn> context;
        private Map<String, Object> extra = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder(Envelope e) {
            id = e.id;
            traceId = e.traceId;
            channel = e.channel;
            account = e.account;
            chatId = e.chatId;
            chatType = e.chatType;
            senderId = e.senderId;
            senderName = e.senderName;
            text = e.text;
            attachments = e.attachments;
            mentioned = e.mentioned;
            replyTo = e.replyTo;
            priority = e.priority;
            instance = e.instance;
            receivedAt = e.receivedAt;
            metadata.putAll(e.metadata);
            inReplyTo = e.inReplyTo;
            context = e.context;
            extra = new LinkedHashMap<>(e.extra);
        }

        public Builder id(String v) { id = v; return this; }
        public Builder traceId(String v) { traceId = v; return this; }
        public Builder channel(String v) { channel = v; return this; }
        public Builder account(String v) { account = v; return this; }
        public Builder chatId(String v) { chatId = v; return this; }
        public Builder chatType(ChatType v) { chatType = v; return this; }
        public Builder senderId(String v) { senderId = v; return this; }
        public Builder senderName(String v) { senderName = v; return this; }
        public Builder text(String v) { text = v; return this; }
        public Builder attachments(List<Map<String, Object>> v) { attachments = v; return this; }
        public Builder mentioned(Boolean v) { mentioned = v; return this; }
        public Builder replyTo(String v) { replyTo = v; return this; }
        public Builder priority(Priority v) { priority = v; return this; }
        public Builder instance(String v) { instance = v; return this; }
        public Builder receivedAt(Instant v) { receivedAt = v; return this; }
        public Builder inReplyTo(String v) { inReplyTo = v; return this; }
        public Builder context(List<Turn> v) { context = v; return this; }

        /** Sets one metadata value; {@code null} removes it. */
        public Builder meta(String key, String value) {
            if (value == null) {
                metadata.remove(key);
            } else {
                metadata.put(key, value);
            }
            return this;
        }

        public Envelope build() {
            return new Envelope(VERSION, id, traceId, channel, account, chatId, chatType, senderId, senderName, text,
                    attachments, mentioned, replyTo, priority, instance, receivedAt, metadata, inReplyTo, context,
                    extra);
        }
    }
}
