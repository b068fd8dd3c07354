package routes.channel.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import routes.channel.GroupPolicy;
import routes.channel.Signatures;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/** Signature checks and event mapping, without a server. */
class SlackEventsTest {

    static final String SECRET = "secret";
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    static String sign(long ts, byte[] body) {
        return "v0=" + Signatures.hmacSha256Hex(SECRET,
                Signatures.concat(("v0:" + ts + ":").getBytes(StandardCharsets.UTF_8), body));
    }

    @Test
    void signatureIsCheckedOverTheRawBytes() {
        byte[] body = "{\"text\":\"h\u00e9llo \ud83d\udc4b\"}".getBytes(StandardCharsets.UTF_8);
        long ts = NOW.getEpochSecond();
        SlackEvents.verify(SECRET, String.valueOf(ts), sign(ts, body), body, NOW, FIVE_MINUTES);
        byte[] other = "{\"text\":\"h\\u00e9llo \ud83d\udc4b\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SlackEvents.verify(SECRET, String.valueOf(ts), sign(ts, body), other, NOW,
                FIVE_MINUTES)).isInstanceOfSatisfying(SlackWebhookException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_signature"));
    }

    @Test
    void timestampsOutsideTheWindowAreRefusedEitherWay() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        for (long ts : new long[] {NOW.getEpochSecond() - 301, NOW.getEpochSecond() + 301}) {
            assertThatThrownBy(() -> SlackEvents.verify(SECRET, String.valueOf(ts), sign(ts, body), body, NOW,
                    FIVE_MINUTES)).isInstanceOfSatisfying(SlackWebhookException.class,
                            e -> assertThat(e.code()).isEqualTo("stale_timestamp"));
        }
        long edge = NOW.getEpochSecond() - 299;
        SlackEvents.verify(SECRET, String.valueOf(edge), sign(edge, body), body, NOW, FIVE_MINUTES);
    }

    @Test
    void aTimestampWhoseDistanceFromNowOverflowsIsStale() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        // now - ts is 2^63 here, which wraps to Long.MIN_VALUE: its absolute value is still negative
        long ts = NOW.getEpochSecond() + Long.MIN_VALUE;
        assertThatThrownBy(() -> SlackEvents.verify(SECRET, String.valueOf(ts), sign(ts, body), body, NOW,
                FIVE_MINUTES)).isInstanceOfSatisfying(SlackWebhookException.class,
                        e -> assertThat(e.code()).isEqualTo("stale_timestamp"));
    }

    @Test
    void missingSecretOrHeadersAreRefused() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SlackEvents.verify("", "1", "v0=00", body, NOW, FIVE_MINUTES))
                .isInstanceOfSatisfying(SlackWebhookException.class,
                        e -> assertThat(e.code()).isEqualTo("not_configured"));
        assertThatThrownBy(() -> SlackEvents.verify(SECRET, null, "v0=00", body, NOW, FIVE_MINUTES))
                .isInstanceOfSatisfying(SlackWebhookException.class,
                        e -> assertThat(e.code()).isEqualTo("missing_signature"));
        assertThatThrownBy(() -> SlackEvents.verify(SECRET, "yesterday", "v0=00", body, NOW, FIVE_MINUTES))
                .isInstanceOfSatisfying(SlackWebhookException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_timestamp"));
    }

    static byte[] callback(String event) {
        return ("{\"type\":\"event_callback\",\"team_id\":\"T1\",\"event_id\":\"Ev1\",\"event\":" + event
                + ",\"authorizations\":[{\"user_id\":\"UBOT\",\"is_bot\":true}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void namedMentionIsRecognisedAndStripped() {
        var outcome = SlackEvents.read(callback("{\"type\":\"message\",\"channel\":\"C1\",\"channel_type\":\"channel\","
                + "\"user\":\"U1\",\"text\":\"hey <@UBOT|caravan> how are you\",\"ts\":\"1.2\"}"),
                GroupPolicy.MENTION, "", null);
        assertThat(outcome).isInstanceOf(SlackEvents.Publish.class);
        Envelope e = ((SlackEvents.Publish) outcome).message().build();
        assertThat(e.text()).isEqualTo("hey how are you");
        assertThat(e.mentioned()).isTrue();
        assertThat(e.chatType()).isEqualTo(ChatType.GROUP);
        assertThat(e.id()).isEqualTo("1.2");
        assertThat(e.replyTo()).isEqualTo("1.2");
        assertThat(e.account()).isEqualTo("T1");
        assertThat(e.meta(SlackConstants.META_EVENT_ID)).isEqualTo("Ev1");
    }

    @Test
    void groupPolicyDecidesForGroupsAndNeverForDirectMessages() {
        byte[] group = callback("{\"type\":\"message\",\"channel\":\"G1\",\"channel_type\":\"mpim\",\"user\":\"U1\","
                + "\"text\":\"hello all\",\"ts\":\"1.3\"}");
        assertThat(SlackEvents.read(group, GroupPolicy.MENTION, "", null)).isInstanceOf(SlackEvents.Ignore.class);
        assertThat(SlackEvents.read(group, GroupPolicy.ALWAYS, "", null)).isInstanceOf(SlackEvents.Publish.class);
        byte[] direct = callback("{\"type\":\"message\",\"channel\":\"D1\",\"channel_type\":\"im\",\"user\":\"U1\","
                + "\"text\":\"hello\",\"ts\":\"1.4\"}");
        assertThat(SlackEvents.read(direct, GroupPolicy.NEVER, "", null)).isInstanceOf(SlackEvents.Publish.class);
    }

    @Test
    void editsJoinsAndOtherEventsAreNotAnswered() {
        for (String event : new String[] {
            "{\"type\":\"message\",\"subtype\":\"message_changed\",\"channel\":\"D1\",\"channel_type\":\"im\"}",
            "{\"type\":\"message\",\"subtype\":\"channel_join\",\"channel\":\"C1\",\"user\":\"U1\",\"ts\":\"1\"}",
            "{\"type\":\"reaction_added\",\"user\":\"U1\"}",
            "{\"type\":\"message\",\"channel\":\"D1\",\"channel_type\":\"im\",\"user\":\"U1\",\"text\":\"  \","
                    + "\"ts\":\"1.5\"}"}) {
            assertThat(SlackEvents.read(callback(event), GroupPolicy.ALWAYS, "", null))
                    .as(event).isInstanceOf(SlackEvents.Ignore.class);
        }
        byte[] rateLimited = "{\"token\":\"x\",\"type\":\"app_rate_limited\",\"minute_rate_limited\":1518467820}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(SlackEvents.read(rateLimited, GroupPolicy.ALWAYS, "", null)).isInstanceOf(SlackEvents.Ignore.class);
    }

    @Test
    void bodiesThatAreNotEventsAreBadRequests() {
        for (String body : new String[] {"", "[]", "not json", "{\"no\":\"type\"}",
            "{\"type\":\"event_callback\"}", "{\"type\":\"url_verification\"}",
            "{\"type\":\"event_callback\",\"event\":{\"type\":\"message\",\"user\":\"U1\"}}",
            "{\"type\":\"event_callback\",\"event\":" + "[".repeat(1000) + "]".repeat(1000) + "}"}) {
            assertThatThrownBy(() -> SlackEvents.read(body.getBytes(StandardCharsets.UTF_8), GroupPolicy.ALWAYS, "",
                    null)).as(body.length() > 60 ? body.substring(0, 60) : body)
                    .isInstanceOfSatisfying(SlackWebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }
}
