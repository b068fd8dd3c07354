package routes.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.pipeline.AccessPolicy;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/**
 * Access on the platforms, end to end: a stranger's direct message gets a pairing code and no model call; an admin
 * approves the code over the admin API; then the sender is answered by the model, until the approval is revoked.
 * Channel {@code paired} has policy pairing (allowlist {@code vip-*}), {@code listed} has policy allowlist.
 */
class PairingTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaTestSupport kafka = TestInfra.kafka();

    private static Envelope message(String channel, String chat, ChatType type, String sender, String text) {
        return Envelope.builder().id(UUID.randomUUID().toString()).channel(channel).chatId(chat).chatType(type)
                .senderId(sender).senderName("Test Person").text(text).priority(Priority.REALTIME)
                .receivedAt(Instant.now()).build();
    }

    private static Envelope direct(String channel, String sender, String text) {
        return message(channel, sender, ChatType.DIRECT, sender, text);
    }

    private HttpResponse<String> admin(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String codeIn(String text) {
        var matcher = java.util.regex.Pattern.compile("[A-Z2-9]{4}-[A-Z2-9]{4}").matcher(text);
        assertThat(matcher.find()).as("a pairing code in: " + text).isTrue();
        return matcher.group();
    }

    @Test
    void aStrangerPairsWithACodeAnAdminApproves() throws Exception {
        String stranger = uniqueChat("stranger");
        Envelope first = direct("paired", stranger, "hello, who are you " + stranger);
        Envelope refused = kafka.ask(first, WAIT);
        assertThat(refused.meta(routes.pipeline.ModelCall.META_ERROR)).isEqualTo(AccessPolicy.PAIRING_REQUIRED);
        String code = codeIn(refused.text());
        assertThat(modelCallsFor(first.text())).isZero();

        Envelope again = kafka.ask(direct("paired", stranger, "still there?"), WAIT);
        assertThat(codeIn(again.text())).as("the same code until it expires").isEqualTo(code);

        JsonNode pending = JSON.readTree(admin("GET", "/admin/pairing", null).body()).path("pending");
        assertThat(pending.findValuesAsText("code")).contains(code);

        HttpResponse<String> approved = admin("POST", "/admin/pairing", "{\"code\":\"" + code.toLowerCase() + "\"}");
        assertThat(approved.statusCode()).isEqualTo(200);
        assertThat(approved.body()).contains("\"senderId\":\"" + stranger + "\"");
        assertThat(admin("POST", "/admin/pairing", "{\"code\":\"" + code + "\"}").statusCode())
                .as("a code is used once").isEqualTo(404);

        Envelope answered = kafka.ask(direct("paired", stranger, "now answer me " + stranger), WAIT);
        assertThat(answered.meta(routes.pipeline.ModelCall.META_ERROR)).isNull();
        assertThat(answered.text()).isEqualTo("echo: now answer me " + stranger);

        var audit = kafka.readUntil("caravan.audit", r -> ("paired:" + stranger).equals(r.key()),
                list -> list.size() >= 2, WAIT).stream().map(r -> new String(r.value())).toList();
        assertThat(String.join("\n", audit)).contains("\"event_type\":\"pairing.requested\"",
                "\"event_type\":\"pairing.approved\"");

        assertThat(admin("DELETE", "/admin/pairing/paired/" + stranger, null).statusCode()).isEqualTo(200);
        assertThat(kafka.ask(direct("paired", stranger, "and now?"), WAIT).meta(routes.pipeline.ModelCall.META_ERROR))
                .isEqualTo(AccessPolicy.PAIRING_REQUIRED);
    }

    @Test
    void allowlistedSendersNeedNoPairing() {
        String vip = uniqueChat("vip");
        Envelope reply = kafka.ask(direct("paired", vip, "hello from " + vip), WAIT);
        assertThat(reply.text()).isEqualTo("echo: hello from " + vip);
    }

    @Test
    void underAnAllowlistPolicyStrangersAreRefusedWithoutACode() {
        Envelope refused = kafka.ask(direct("listed", uniqueChat("nobody"), "let me in"), WAIT);
        assertThat(refused.meta(routes.pipeline.ModelCall.META_ERROR)).isEqualTo(AccessPolicy.NOT_ALLOWED);
        assertThat(refused.text()).doesNotContainPattern("[A-Z2-9]{4}-[A-Z2-9]{4}");
        Envelope listed = kafka.ask(direct("listed", "vip-1", "I am listed " + UUID.randomUUID()), WAIT);
        assertThat(listed.meta(routes.pipeline.ModelCall.META_ERROR)).isNull();
    }

    @Test
    void aStrangerInAGroupIsIgnoredWithoutAWord() {
        String group = uniqueChat("group");
        Envelope stranger = message("paired", group, ChatType.GROUP, uniqueChat("lurker"), "@bot hi " + group);
        Envelope member = message("paired", group, ChatType.GROUP, "vip-member", "@bot hello " + group);
        kafka.accept(stranger);
        kafka.ask(member, WAIT);
        // one key, one partition, in order: the stranger's message was handled first, and left no reply
        List<Envelope> replies = kafka.readUntil("caravan.outbound.paired", r -> member.kafkaKey().equals(r.key()),
                list -> true, WAIT).stream().map(r -> EnvelopeCodec.decode(r.value())).toList();
        assertThat(replies).extracting(Envelope::inReplyTo).contains(member.id()).doesNotContain(stranger.id());
        assertThat(modelCallsFor(stranger.text())).isZero();
    }

    @Test
    void badApprovalsGetClearErrors() throws Exception {
        assertThat(admin("POST", "/admin/pairing", "{}").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/admin/pairing", "{\"code\":\"ZZZZ-ZZZZ\"}").statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "/admin/pairing/paired/never-approved", null).statusCode()).isEqualTo(404);
    }
}
