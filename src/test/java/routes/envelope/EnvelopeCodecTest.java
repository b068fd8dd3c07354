package routes.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

    private static Envelope sample() {
        return Envelope.builder()
                .id("m1").traceId("t1").channel("websocket").account("a").chatId("c1").chatType(ChatType.GROUP)
                .senderId("u1").senderName("Ada").text("hello").mentioned(true).replyTo("p0")
                .priority(Priority.URGENT).instance("i1").receivedAt(Instant.parse("2026-11-23T10:15:30.123Z"))
                .attachments(List.of(Map.of("kind", "image", "url", "https://example.org/a.png")))
                .context(List.of(Turn.system("be brief"), Turn.user("earlier", "m0")))
                .meta("connection", "ws-1")
                .build();
    }

    @Test
    void roundTripKeepsEveryField() {
        Envelope original = sample();
        Envelope decoded = EnvelopeCodec.decode(EnvelopeCodec.encode(original));
        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.v()).isEqualTo(Envelope.VERSION);
    }

    @Test
    void writesLowercaseEnumsAndIsoTimes() {
        String json = EnvelopeCodec.encodeToString(sample());
        assertThat(json).contains("\"chatType\":\"group\"", "\"priority\":\"urgent\"",
                "\"receivedAt\":\"2026-11-23T10:15:30.123Z\"");
    }

    @Test
    void unknownFieldsAreKeptAndWrittenBack() {
        String json = "{\"v\":1,\"id\":\"m1\",\"channel\":\"rest\",\"chatId\":\"c\",\"text\":\"x\","
                + "\"futureField\":{\"nested\":[1,2]},\"other\":\"kept\"}";
        Envelope decoded = EnvelopeCodec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.extra()).containsKeys("futureField", "other");
        String rewritten = EnvelopeCodec.encodeToString(decoded.toBuilder().text("changed").build());
        assertThat(rewritten).contains("\"futureField\":{\"nested\":[1,2]}", "\"other\":\"kept\"",
                "\"text\":\"changed\"");
    }

    @Test
    void previousVersionIsReadable() {
        Envelope decoded = EnvelopeCodec.decode(
                "{\"v\":0,\"id\":\"m\",\"channel\":\"rest\",\"chatId\":\"c\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.id()).isEqualTo("m");
    }

    @Test
    void newerVersionIsRejectedWithReason() {
        assertThatThrownBy(() -> EnvelopeCodec.decode(
                "{\"v\":9,\"id\":\"m\",\"channel\":\"rest\",\"chatId\":\"c\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("version 9");
    }

    @Test
    void recordWithoutIdOrChannelIsPoison() {
        assertThatThrownBy(() -> EnvelopeCodec.decode("{\"v\":1,\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("lacks id");
    }

    @Test
    void undecodableBytesArePoison() {
        assertThatThrownBy(() -> EnvelopeCodec.decode(new byte[] {(byte) 0xff, 0x00, 0x7b}))
                .isInstanceOf(EnvelopeException.class).hasMessageStartingWith("not an envelope");
        assertThatThrownBy(() -> EnvelopeCodec.decode(new byte[0]))
                .isInstanceOf(EnvelopeException.class).hasMessage("empty record");
        assertThatThrownBy(() -> EnvelopeCodec.decode("null".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EnvelopeException.class);
    }

    @Test
    void deeplyNestedJsonIsPoisonNotAStackOverflow() {
        String deep = "{\"v\":1,\"id\":\"m\",\"channel\":\"rest\",\"chatId\":\"c\",\"x\":"
                + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThatThrownBy(() -> EnvelopeCodec.decode(deep.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EnvelopeException.class).hasMessageContaining("nesting");
    }

    @Test
    void kafkaKeyAndDedupeKeyNameTheConversation() {
        Envelope e = sample();
        assertThat(e.kafkaKey()).isEqualTo("websocket:c1");
        assertThat(e.dedupeKey()).isEqualTo("websocket:c1:m1");
        assertThat(Ids.replyId("m1")).isEqualTo("m1:reply");
    }
}
