package routes.channel.slack;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;
import routes.channel.GroupPolicy;
import routes.channel.Signatures;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * What a Slack Events API call means: the signature check over the raw bytes, and the mapping of an event to an
 * envelope, a URL-verification challenge, or nothing to do. No I/O here.
 */
public final class SlackEvents {

    /** Message subtypes written by people; every other subtype (bot_message, edits, joins …) is not answered. */
    private static final Set<String> PEOPLE_SUBTYPES = Set.of("file_share", "thread_broadcast");
    private static final int MAX_NESTING = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
    }

    private SlackEvents() {
    }

    /** What to do with a verified call. */
    public sealed interface Outcome permits Challenge, Ignore, Publish {
    }

    /** Answer Slack's URL verification with its challenge. */
    public record Challenge(String challenge) implements Outcome {
    }

    /** Acknowledge and do nothing (bot messages, edits, group messages the policy does not answer …). */
    public record Ignore(String reason) implements Outcome {
    }

    /** Publish this message (not yet prepared by the ingress: no trace id, instance or time). */
    public record Publish(Envelope.Builder message) implements Outcome {
    }

    /**
     * Checks {@code X-Slack-Signature} = {@code v0=} hex(HMAC-SHA256(secret, {@code v0:<timestamp>:<raw body>})) and
     * that the timestamp is within {@code tolerance} of {@code now}.
     *
     * @throws SlackWebhookException 401 when the call is not provably from Slack, or is too old (a replay)
     */
    public static void verify(String secret, String timestamp, String signature, byte[] body, Instant now,
            Duration tolerance) {
        if (secret == null || secret.isBlank()) {
            throw new SlackWebhookException(401, "not_configured",
                    "the Slack signing secret is not configured; every call is refused");
        }
        if (timestamp == null || timestamp.isBlank() || signature == null || signature.isBlank()) {
            throw new SlackWebhookException(401, "missing_signature",
                    "X-Slack-Signature and X-Slack-Request-Timestamp are required");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new SlackWebhookException(401, "invalid_timestamp", "X-Slack-Request-Timestamp is not a number");
        }
        // compared one side at a time: now - seconds overflows for timestamps near Long.MIN_VALUE
        long from = now.getEpochSecond() - tolerance.toSeconds();
        long to = now.getEpochSecond() + tolerance.toSeconds();
        if (seconds < from || seconds > to) {
            throw new SlackWebhookException(401, "stale_timestamp",
                    "X-Slack-Request-Timestamp is more than " + tolerance.toMinutes() + " minutes from now");
        }
        byte[] base = Signatures.concat(("v0:" + timestamp.trim() + ":").getBytes(StandardCharsets.UTF_8), body);
        String expected = "v0=" + Signatures.hmacSha256Hex(secret, base);
        if (!Signatures.constantTimeEquals(expected, signature.trim())) {
            throw new SlackWebhookException(401, "invalid_signature", "X-Slack-Signature does not match the body");
        }
    }

    /**
     * Reads a verified call.
     *
     * @param body        the raw JSON body
     * @param policy      when group messages are answered
     * @param botUserId   the bot's user id when configured, else blank (read from the event's authorizations)
     * @param retryNum    Slack's {@code X-Slack-Retry-Num}, or null
     * @throws SlackWebhookException 400 when the body is not a Slack event
     */
    public static Outcome read(byte[] body, GroupPolicy policy, String botUserId, String retryNum) {
        JsonNode root = parse(body);
        String type = root.path("type").asText("");
        switch (type) {
            case "url_verification" -> {
                String challenge = root.path("challenge").asText("");
                if (challenge.isEmpty()) {
                    throw new SlackWebhookException(400, "missing_challenge", "url_verification without a challenge");
                }
                return new Challenge(challenge);
            }
            case "event_callback" -> {
                return event(root, policy, botUserId, retryNum);
            }
            case "app_rate_limited" -> {
                return new Ignore("app_rate_limited: Slack is dropping this app's events for a minute");
            }
            case "" -> throw new SlackWebhookException(400, "invalid_event", "the body has no event type");
            default -> {
                return new Ignore("unsupported callback type " + abbreviate(type));
            }
        }
    }

    private static Outcome event(JsonNode root, GroupPolicy policy, String configuredBotId, String retryNum) {
        JsonNode event = root.path("event");
        if (!event.isObject()) {
            throw new SlackWebhookException(400, "invalid_event", "event_callback without an event");
        }
        String eventType = event.path("type").asText("");
        if (!eventType.equals("message") && !eventType.equals("app_mention")) {
            return new Ignore("event type " + abbreviate(eventType) + " is not a message");
        }
        // the bot never answers itself or another bot, nor edits, deletions, joins …
        if (event.hasNonNull("bot_id") || event.hasNonNull("bot_profile")) {
            return new Ignore("a bot wrote it");
        }
        String subtype = event.path("subtype").asText(null);
        if (subtype != null && !PEOPLE_SUBTYPES.contains(subtype)) {
            return new Ignore("message subtype " + abbreviate(subtype));
        }
        String user = event.path("user").asText("");
        String botUserId = configuredBotId != null && !configuredBotId.isBlank() ? configuredBotId : botUser(root);
        if (user.isEmpty() || user.equals(botUserId)) {
            return new Ignore(user.isEmpty() ? "no author" : "the bot wrote it");
        }
        String channel = event.path("channel").asText("");
        String ts = event.path("ts").asText("");
        if (channel.isEmpty() || ts.isEmpty()) {
            throw new SlackWebhookException(400, "invalid_event", "the message event lacks channel or ts");
        }
        String text = event.path("text").asText("");
        String channelType = event.path("channel_type").asText(null);
        // app_mention has no channel_type and only happens in conversations with others; D… ids are direct messages
        boolean direct = "im".equals(channelType) || (channelType == null && channel.startsWith("D"));
        boolean mentioned = eventType.equals("app_mention") || mentions(text, botUserId);
        if (!policy.answers(!direct, mentioned)) {
            return new Ignore("the group policy does not answer it");
        }
        String cleaned = stripMention(text, botUserId).strip();
        if (cleaned.isEmpty()) {
            return new Ignore("no text");
        }
        String threadTs = event.path("thread_ts").asText(null);
        String team = root.path("team_id").asText(event.path("team").asText(null));
        JsonNode profile = event.path("user_profile");
        String name = profile.path("display_name").asText("");
        if (name.isEmpty()) {
            name = profile.path("real_name").asText("");
        }
        return new Publish(Envelope.builder()
                // the message's own ts: a retry of the event, and the message + app_mention pair Slack sends for
                // one mention, are the same message and get one reply
                .id(ts)
                .channel(SlackConstants.CHANNEL)
                .account(team)
                .chatId(channel)
                .chatType(direct ? ChatType.DIRECT : ChatType.GROUP)
                .senderId(user)
                .senderName(name.isEmpty() ? null : name)
                .text(cleaned)
                .mentioned(mentioned)
                .replyTo(threadTs != null ? threadTs : ts)
                .meta(SlackConstants.META_EVENT_ID, root.path("event_id").asText(null))
                .meta(SlackConstants.META_EVENT_TYPE, eventType)
                .meta(SlackConstants.META_TS, ts)
                .meta(SlackConstants.META_THREAD_TS, threadTs)
                .meta(SlackConstants.META_RETRY_NUM, retryNum));
    }

    /** The bot's user id from the event's {@code authorizations} (or the older {@code authed_users}). */
    static String botUser(JsonNode root) {
        for (JsonNode authorization : root.path("authorizations")) {
            if (authorization.path("is_bot").asBoolean(false) && authorization.hasNonNull("user_id")) {
                return authorization.path("user_id").asText();
            }
        }
        JsonNode authed = root.path("authed_users");
        return authed.isArray() && authed.size() == 1 ? authed.get(0).asText() : null;
    }

    static boolean mentions(String text, String botUserId) {
        return botUserId != null && !botUserId.isEmpty() && mentionPattern(botUserId).matcher(text).find();
    }

    static String stripMention(String text, String botUserId) {
        if (botUserId == null || botUserId.isEmpty()) {
            return text;
        }
        return mentionPattern(botUserId).matcher(text).replaceAll("").replaceAll("[ \\t]{2,}", " ");
    }

    private static Pattern mentionPattern(String botUserId) {
        return Pattern.compile("<@" + Pattern.quote(botUserId) + "(\\|[^>]*)?>");
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new SlackWebhookException(400, "invalid_json", "the body is empty");
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw new SlackWebhookException(400, "invalid_json", "the body is not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new SlackWebhookException(400, "invalid_json", "the body is not valid JSON");
        }
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("[^A-Za-z0-9_.:-]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) : clean;
    }
}
