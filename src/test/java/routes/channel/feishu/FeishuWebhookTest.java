package routes.channel.feishu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import routes.channel.GroupPolicy;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/** Verification and mapping of Feishu events, without a server. */
class FeishuWebhookTest {

    private static final String TOKEN = "verification-token-1";
    private static final String KEY = "encrypt-key-1";
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static FeishuWebhook webhook(String token, String key, GroupPolicy policy, String botOpenId) {
        FeishuProperties p = new FeishuProperties();
        p.setVerificationToken(token);
        p.setEncryptKey(key);
        p.setGroupPolicy(policy);
        return new FeishuWebhook(p, 1000, () -> botOpenId, CLOCK);
    }

    private static FeishuWebhook.Outcome plain(FeishuWebhook webhook, String json) {
        return webhook.handle(new FeishuWebhook.Request(json.getBytes(StandardCharsets.UTF_8), null, null, null));
    }

    private static FeishuWebhook.Outcome signed(FeishuWebhook webhook, String json, Instant at) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String timestamp = String.valueOf(at.getEpochSecond());
        String nonce = FeishuEvents.nonce();
        return webhook.handle(new FeishuWebhook.Request(body, timestamp, nonce,
                FeishuEvents.sign(timestamp, nonce, KEY, body)));
    }

    private static Envelope accepted(FeishuWebhook.Outcome outcome) {
        assertThat(outcome).isInstanceOf(FeishuWebhook.Accept.class);
        return ((FeishuWebhook.Accept) outcome).message().build();
    }

    private static void rejected(FeishuWebhook.Outcome outcome, int status, String code) {
        assertThat(outcome).isInstanceOf(FeishuWebhook.Reject.class);
        FeishuWebhook.Reject reject = (FeishuWebhook.Reject) outcome;
        assertThat(reject.status()).isEqualTo(status);
        assertThat(reject.code()).isEqualTo(code);
    }

    @Test
    void decryptsFeishusPublishedExample() {
        // the example of Feishu's encryption guide: key "test key", plaintext "hello world"
        assertThat(FeishuCrypto.decryptRaw("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "test key"))
                .isEqualTo("hello world");
    }

    @Test
    void decryptionRejectsGarbage() {
        assertThatThrownBy(() -> FeishuCrypto.decrypt("not base64!", KEY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeishuCrypto.decrypt("AAAA", KEY)).isInstanceOf(IllegalArgumentException.class);
        String otherKey = FeishuEvents.encrypted("{\"a\":1}", "another key");
        String field = otherKey.substring(otherKey.indexOf(":\"") + 2, otherKey.lastIndexOf('"'));
        assertThatThrownBy(() -> FeishuCrypto.decrypt(field, KEY)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void plainEventWithTheVerificationTokenIsAccepted() {
        Envelope e = accepted(plain(webhook(TOKEN, "", GroupPolicy.MENTION, null),
                FeishuEvents.textMessage("ev-1", TOKEN, "oc_1", "p2p", " hello ")));
        assertThat(e.id()).isEqualTo("ev-1");
        assertThat(e.channel()).isEqualTo("feishu");
        assertThat(e.account()).isEqualTo("cli_fake");
        assertThat(e.chatId()).isEqualTo("oc_1");
        assertThat(e.chatType()).isEqualTo(ChatType.DIRECT);
        assertThat(e.senderId()).isEqualTo("ou_person");
        assertThat(e.text()).isEqualTo("hello");
        assertThat(e.mentioned()).isNull();
        assertThat(e.replyTo()).isEqualTo("om_ev-1");
        assertThat(e.meta(FeishuConstants.META_TENANT_KEY)).isEqualTo("tenant-1");
    }

    @Test
    void plainEventWithAWrongOrMissingTokenIsRejected() {
        FeishuWebhook webhook = webhook(TOKEN, "", GroupPolicy.MENTION, null);
        rejected(plain(webhook, FeishuEvents.textMessage("ev-2", "forged", "oc_1", "p2p", "hi")), 401, "bad_token");
        rejected(plain(webhook, FeishuEvents.textMessage("ev-2", null, "oc_1", "p2p", "hi")), 401, "bad_token");
        rejected(plain(webhook, FeishuEvents.challenge("c", "forged")), 401, "bad_token");
    }

    @Test
    void nothingIsAcceptedWhenNoSecretIsConfigured() {
        FeishuWebhook webhook = webhook("", "", GroupPolicy.MENTION, null);
        rejected(plain(webhook, FeishuEvents.textMessage("ev-3", "", "oc_1", "p2p", "hi")), 401, "not_verifiable");
        rejected(plain(webhook, FeishuEvents.challenge("c", "")), 401, "not_verifiable");
    }

    @Test
    void challengesAreAnsweredPlainAndEncrypted() {
        FeishuWebhook webhook = webhook(TOKEN, KEY, GroupPolicy.MENTION, null);
        assertThat(plain(webhook, FeishuEvents.challenge("c-1", TOKEN))).isEqualTo(new FeishuWebhook.Challenge("c-1"));
        assertThat(plain(webhook, FeishuEvents.encrypted(FeishuEvents.challenge("c-2", TOKEN), KEY)))
                .isEqualTo(new FeishuWebhook.Challenge("c-2"));
        rejected(plain(webhook, FeishuEvents.encrypted(FeishuEvents.challenge("c-3", "forged"), KEY)), 401,
                "bad_token");
        rejected(plain(webhook, FeishuEvents.encrypted(FeishuEvents.challenge("c-4", TOKEN), "wrong key")), 401,
                "bad_encryption");
        // without a configured token, decrypting with our key is what authenticates the check
        assertThat(plain(webhook("", KEY, GroupPolicy.MENTION, null),
                FeishuEvents.encrypted(FeishuEvents.challenge("c-5", "any"), KEY)))
                .isEqualTo(new FeishuWebhook.Challenge("c-5"));
    }

    @Test
    void aSignedTimestampNoInstantCanHoldIsExpiredNotAFailure() {
        FeishuWebhook webhook = webhook(TOKEN, KEY, GroupPolicy.MENTION, null);
        byte[] body = FeishuEvents.encrypted(FeishuEvents.textMessage("ev-far", TOKEN, "oc_1", "p2p", "hi"), KEY)
                .getBytes(StandardCharsets.UTF_8);
        for (long seconds : new long[] {Long.MAX_VALUE, Long.MIN_VALUE}) {
            String timestamp = String.valueOf(seconds);
            String nonce = FeishuEvents.nonce();
            rejected(webhook.handle(new FeishuWebhook.Request(body, timestamp, nonce,
                    FeishuEvents.sign(timestamp, nonce, KEY, body))), 401, "expired");
        }
    }

    @Test
    void withAnEncryptKeyEventsMustBeSignedRecently() {
        FeishuWebhook webhook = webhook(TOKEN, KEY, GroupPolicy.MENTION, null);
        String event = FeishuEvents.encrypted(FeishuEvents.textMessage("ev-4", TOKEN, "oc_1", "p2p", "hi"), KEY);
        assertThat(accepted(signed(webhook, event, NOW.minusSeconds(30))).text()).isEqualTo("hi");
        rejected(plain(webhook, event), 401, "missing_signature");
        rejected(signed(webhook, event, NOW.minus(Duration.ofHours(2))), 401, "expired");
        rejected(signed(webhook, event, NOW.plus(Duration.ofHours(2))), 401, "expired");
        byte[] body = event.getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(NOW.getEpochSecond());
        rejected(webhook.handle(new FeishuWebhook.Request(body, ts, "n", FeishuEvents.sign(ts, "n", "wrong", body))),
                401, "bad_signature");
        rejected(webhook.handle(new FeishuWebhook.Request(body, null, null, "abc")), 401, "missing_signature");
        rejected(webhook.handle(new FeishuWebhook.Request(body, "soon", "n", "abc")), 401, "bad_timestamp");
        // the signature covers the exact bytes: one changed byte fails it
        String sig = FeishuEvents.sign(ts, "n", KEY, body);
        byte[] tampered = body.clone();
        tampered[tampered.length - 3] ^= 1;
        rejected(webhook.handle(new FeishuWebhook.Request(tampered, ts, "n", sig)), 401, "bad_signature");
        // a signed plain (unencrypted) event is accepted too
        assertThat(accepted(signed(webhook, FeishuEvents.textMessage("ev-5", TOKEN, "oc_1", "p2p", "plain"), NOW))
                .text()).isEqualTo("plain");
    }

    @Test
    void malformedInputIsA400() {
        FeishuWebhook webhook = webhook(TOKEN, "", GroupPolicy.MENTION, null);
        rejected(plain(webhook, "{not json"), 400, "bad_json");
        rejected(plain(webhook, "[1,2]"), 400, "bad_json");
        rejected(plain(webhook, ""), 400, "bad_json");
        rejected(plain(webhook, FeishuEvents.encrypted("{}", KEY)), 400, "unexpected_encryption");
        rejected(plain(webhook, FeishuEvents.message("ev-6", TOKEN, "oc_1", "p2p", "text", "not json", "user")),
                400, "bad_content");
        rejected(plain(webhook, FeishuEvents.textMessage("", TOKEN, "oc_1", "p2p", "hi")), 400, "missing_event_id");
        rejected(plain(webhook, FeishuEvents.textMessage("ev-7", TOKEN, "", "p2p", "hi")), 400, "missing_chat_id");
    }

    @Test
    void groupMessagesFollowThePolicyAndMentionsOfTheBot() {
        FeishuWebhook mention = webhook(TOKEN, "", GroupPolicy.MENTION, "ou_bot");
        assertThat(plain(mention, FeishuEvents.textMessage("g-1", TOKEN, "oc_g", "group", "no mention")))
                .isInstanceOf(FeishuWebhook.Ignore.class);
        assertThat(plain(mention, FeishuEvents.textMessage("g-2", TOKEN, "oc_g", "group", "@_user_1 hi",
                "ou_someone", "Someone"))).isInstanceOf(FeishuWebhook.Ignore.class);
        Envelope e = accepted(plain(mention, FeishuEvents.textMessage("g-3", TOKEN, "oc_g", "group",
                "@_user_1 ask @_user_2 about it", "ou_bot", "Caravan", "ou_someone", "Someone")));
        assertThat(e.chatType()).isEqualTo(ChatType.GROUP);
        assertThat(e.mentioned()).isTrue();
        assertThat(e.text()).isEqualTo("ask @Someone about it");
        String[] many = new String[22];
        for (int i = 0; i < 11; i++) {
            many[2 * i] = i == 9 ? "ou_bot" : "ou_" + i;
            many[2 * i + 1] = "P" + (i + 1);
        }
        Envelope ten = accepted(plain(mention, FeishuEvents.textMessage("g-3b", TOKEN, "oc_g", "group",
                "@_user_1 and @_user_11, says @_user_10", many)));
        assertThat(ten.text()).isEqualTo("@P1 and @P11, says");

        assertThat(accepted(plain(webhook(TOKEN, "", GroupPolicy.ALWAYS, "ou_bot"),
                FeishuEvents.textMessage("g-4", TOKEN, "oc_g", "group", "anyone?"))).mentioned()).isFalse();
        assertThat(plain(webhook(TOKEN, "", GroupPolicy.NEVER, "ou_bot"), FeishuEvents.textMessage("g-5", TOKEN,
                "oc_g", "group", "@_user_1 hi", "ou_bot", "Caravan"))).isInstanceOf(FeishuWebhook.Ignore.class);
        // while the bot's open_id is unknown, any mention addresses it
        assertThat(accepted(plain(webhook(TOKEN, "", GroupPolicy.MENTION, null), FeishuEvents.textMessage("g-6",
                TOKEN, "oc_g", "group", "@_user_1 hi", "ou_x", "X"))).mentioned()).isTrue();
    }

    @Test
    void whatIsNotATextMessageFromAPersonIsAcknowledgedOnly() {
        FeishuWebhook webhook = webhook(TOKEN, "", GroupPolicy.MENTION, null);
        assertThat(plain(webhook, FeishuEvents.message("o-1", TOKEN, "oc_1", "p2p", "image", "{\"image_key\":\"k\"}",
                "user"))).isInstanceOf(FeishuWebhook.Ignore.class);
        assertThat(plain(webhook, FeishuEvents.message("o-2", TOKEN, "oc_1", "p2p", "text", "{\"text\":\"hi\"}",
                "app"))).isInstanceOf(FeishuWebhook.Ignore.class);
        assertThat(plain(webhook, FeishuEvents.textMessage("o-3", TOKEN, "oc_1", "p2p", "   ")))
                .isInstanceOf(FeishuWebhook.Ignore.class);
        assertThat(plain(webhook, FeishuEvents.textMessage("o-4", TOKEN, "oc_1", "p2p", "x".repeat(1001))))
                .isInstanceOf(FeishuWebhook.Ignore.class);
        String otherType = FeishuEvents.textMessage("o-5", TOKEN, "oc_1", "p2p", "hi")
                .replace("im.message.receive_v1", "im.chat.member.bot.added_v1");
        assertThat(plain(webhook, otherType)).isInstanceOf(FeishuWebhook.Ignore.class);
        String v1 = "{\"uuid\":\"u-1\",\"token\":\"" + TOKEN + "\",\"type\":\"event_callback\",\"event\":{}}";
        assertThat(plain(webhook, v1)).isInstanceOf(FeishuWebhook.Ignore.class);
    }
}
