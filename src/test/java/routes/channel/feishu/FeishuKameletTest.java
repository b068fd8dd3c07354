package routes.channel.feishu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.support.fakes.FakeFeishuServer;

/** kamelets/feishu-source and feishu-sink, loaded by camel-kamelet in the running gateway. */
class FeishuKameletTest extends FeishuIntegrationTest {

    @Autowired
    private ProducerTemplate producer;

    @Test
    void sourceKameletVerifiesAndPassesOnAnEnvelope() throws Exception {
        String chat = uniqueChat("oc-kamelet");
        String eventId = eventId();
        HttpResponse<String> accepted = postSigned(KAMELET_PATH, FeishuEvents.encrypted(
                FeishuEvents.textMessage(eventId, TOKEN, chat, "group", "@_user_1 from the kamelet",
                        FakeFeishuServer.BOT_OPEN_ID, "Caravan"), KEY), Instant.now());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        assertThat(accepted.body()).isEqualTo("{}");
        String json = await().atMost(Duration.ofSeconds(10)).until(
                () -> FROM_KAMELET.stream().filter(b -> b.contains(chat)).findFirst().orElse(null),
                b -> b != null);
        Envelope envelope = EnvelopeCodec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(envelope.id()).isEqualTo(eventId);
        assertThat(envelope.channel()).isEqualTo("feishu");
        assertThat(envelope.chatType()).isEqualTo(ChatType.GROUP);
        assertThat(envelope.mentioned()).isTrue();
        assertThat(envelope.text()).isEqualTo("from the kamelet");

        HttpResponse<String> challenge = post(KAMELET_PATH,
                FeishuEvents.encrypted(FeishuEvents.challenge("kamelet-c", TOKEN), KEY)
                        .getBytes(StandardCharsets.UTF_8), Map.of());
        JsonNode answer = JSON.readTree(challenge.body());
        assertThat(answer.path("challenge").asText()).isEqualTo("kamelet-c");

        String forged = FeishuEvents.encrypted(FeishuEvents.textMessage(eventId(), TOKEN, chat, "p2p", "x"), KEY);
        assertError(post(KAMELET_PATH, forged.getBytes(StandardCharsets.UTF_8),
                Map.of(FeishuConstants.TIMESTAMP, "1", FeishuConstants.NONCE, "n", FeishuConstants.SIGNATURE, "00")),
                401, "bad_signature");
        assertThat(FROM_KAMELET.stream().filter(b -> b.contains(chat)).count()).isEqualTo(1);
    }

    @Test
    void sinkKameletDeliversAReplyOnceAndSplitsLongOnes() {
        String chat = uniqueChat("oc-sink");
        Envelope reply = Envelope.builder().id("m-1:reply").inReplyTo("m-1").channel("feishu").chatId(chat)
                .chatType(ChatType.DIRECT).text("short answer").build();
        producer.sendBody("direct:feishu-kamelet-sink", EnvelopeCodec.encodeToString(reply));
        producer.sendBody("direct:feishu-kamelet-sink", EnvelopeCodec.encodeToString(reply));
        String long_ = "A long answer that needs more than one Feishu message to be delivered. ".repeat(3).trim();
        producer.sendBody("direct:feishu-kamelet-sink", EnvelopeCodec.encodeToString(
                reply.toBuilder().id("m-2:reply").inReplyTo("m-2").text(long_).build()));
        assertThat(textsSentTo(chat).get(0)).isEqualTo("short answer");
        assertThat(textsSentTo(chat)).hasSizeGreaterThan(2);
        assertThat(String.join(" ", textsSentTo(chat).subList(1, textsSentTo(chat).size()))).isEqualTo(long_);
    }
}
