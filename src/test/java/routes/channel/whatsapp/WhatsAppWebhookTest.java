package routes.channel.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import routes.channel.Signatures;
import routes.envelope.Envelope;

/** Subscription and signature checks and payload reading, without a server. */
class WhatsAppWebhookTest {

    @Test
    void subscriptionNeedsModeSubscribeAndTheToken() {
        assertThat(WhatsAppWebhook.verifySubscription("tok", "subscribe", "tok", "123")).isEqualTo("123");
        for (String[] bad : new String[][] {{"subscribe", "other"}, {"unsubscribe", "tok"}, {null, "tok"},
            {"subscribe", null}}) {
            assertThatThrownBy(() -> WhatsAppWebhook.verifySubscription("tok", bad[0], bad[1], "123"))
                    .isInstanceOfSatisfying(WhatsAppWebhookException.class, e -> assertThat(e.status()).isEqualTo(403));
        }
        assertThatThrownBy(() -> WhatsAppWebhook.verifySubscription("", "subscribe", "", "123"))
                .isInstanceOfSatisfying(WhatsAppWebhookException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void signatureIsCheckedOverTheRawBytes() {
        byte[] body = "{\"name\":\"Jos\u00e9 \ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8);
        String header = "sha256=" + Signatures.hmacSha256Hex("secret", body);
        WhatsAppWebhook.verifySignature("secret", header, body);
        byte[] escaped = "{\"name\":\"Jos\\u00e9 \ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> WhatsAppWebhook.verifySignature("secret", header, escaped))
                .isInstanceOfSatisfying(WhatsAppWebhookException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_signature"));
        assertThatThrownBy(() -> WhatsAppWebhook.verifySignature("secret", "sha1=abc", body))
                .isInstanceOfSatisfying(WhatsAppWebhookException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> WhatsAppWebhook.verifySignature("", header, body))
                .isInstanceOfSatisfying(WhatsAppWebhookException.class,
                        e -> assertThat(e.code()).isEqualTo("not_configured"));
    }

    @Test
    void messagesOfAllEntriesAreReadOldestFirstWithTheirSenderNames() {
        String body = """
                {"object":"whatsapp_business_account","entry":[
                  {"id":"W","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"P1"},
                    "contacts":[{"wa_id":"111","profile":{"name":"Ana"}}],
                    "messages":[{"from":"111","id":"wamid.B","timestamp":"20","type":"text","text":{"body":"b"}},
                                {"from":"111","id":"wamid.I","timestamp":"15","type":"image","image":{"id":"m"}}]}}]},
                  {"id":"W","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"P1"},
                    "messages":[{"from":"111","id":"wamid.A","timestamp":"10","type":"interactive",
                      "interactive":{"type":"button_reply","button_reply":{"id":"x","title":"Yes"}}},
                      {"from":"111","id":"","timestamp":"11","type":"text","text":{"body":"no id"}}]}}]}]}
                """;
        WhatsAppWebhook.Batch batch = WhatsAppWebhook.read(body.getBytes(StandardCharsets.UTF_8));
        assertThat(batch.skipped()).isEqualTo(1);
        assertThat(batch.messages()).extracting(WhatsAppWebhook.Inbound::id)
                .containsExactly("wamid.A", "wamid.I", "wamid.B");
        assertThat(batch.messages()).extracting(WhatsAppWebhook.Inbound::answerable).containsExactly(true, false, true);
        Envelope b = batch.messages().get(2).toEnvelope().build();
        assertThat(b.id()).isEqualTo("wamid.B");
        assertThat(b.chatId()).isEqualTo("111");
        assertThat(b.account()).isEqualTo("P1");
        assertThat(b.senderName()).isEqualTo("Ana");
        assertThat(b.text()).isEqualTo("b");
        assertThat(batch.messages().get(0).text()).isEqualTo("Yes");
    }

    @Test
    void bodiesThatAreNotPayloadsAreBadRequests() {
        for (String body : new String[] {"", "null", "[1]", "{", "{\"object\":\"x\"}"}) {
            assertThatThrownBy(() -> WhatsAppWebhook.read(body.getBytes(StandardCharsets.UTF_8))).as(body)
                    .isInstanceOfSatisfying(WhatsAppWebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    @Test
    void aTimestampNoInstantCanHoldIsLeftOutNotAFailure() {
        String body = """
                {"entry":[{"changes":[{"field":"messages","value":{"messages":[
                  {"from":"111","id":"wamid.F","timestamp":"9223372036854775807","type":"text","text":{"body":"far"}},
                  {"from":"111","id":"wamid.P","timestamp":"-9223372036854775808","type":"text","text":{"body":"past"}},
                  {"from":"111","id":"wamid.N","timestamp":"1700000000","type":"text","text":{"body":"now"}}]}}]}]}
                """;
        WhatsAppWebhook.Batch batch = WhatsAppWebhook.read(body.getBytes(StandardCharsets.UTF_8));
        assertThat(batch.skipped()).isEqualTo(2);
        assertThat(batch.messages()).extracting(WhatsAppWebhook.Inbound::id).containsExactly("wamid.N");
        assertThat(WhatsAppWebhook.sentAt(batch.messages().get(0), java.time.Instant.now()).getEpochSecond())
                .isEqualTo(1700000000L);
    }
}
