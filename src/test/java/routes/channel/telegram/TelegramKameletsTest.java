package routes.channel.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.channel.PlatformException;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.support.fakes.FakeTelegramServer;

/** kamelets/telegram-source and telegram-sink loaded by camel-kamelet and run against the fake Bot API. */
class TelegramKameletsTest {

    static final FakeTelegramServer TELEGRAM = FakeTelegramServer.start();
    static final List<byte[]> RECEIVED = new CopyOnWriteArrayList<>();
    static CamelContext camel;

    @BeforeAll
    static void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.getComponent("kamelet", KameletComponent.class).setLocation("file:kamelets");
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                String bot = "authorizationToken=RAW(" + FakeTelegramServer.TOKEN + ")&baseUri=" + TELEGRAM.baseUrl();
                from("direct:reply").routeId("test-sink").to("kamelet:telegram-sink?" + bot);
                from("kamelet:telegram-source?" + bot + "&timeout=1").routeId("test-source")
                        .process(exchange -> RECEIVED.add(exchange.getMessage().getBody(byte[].class)));
            }
        });
        camel.start();
    }

    @AfterAll
    static void stop() {
        camel.stop();
        TELEGRAM.close();
    }

    @Test
    void sourceEmitsAnEnvelopePerTextMessage() {
        String chat = TelegramWebhookTest.privateChat();
        var update = TELEGRAM.privateText(Long.parseLong(chat), "from the kamelet");
        TELEGRAM.enqueue(update);

        await().atMost(Duration.ofSeconds(30)).until(() -> RECEIVED.stream()
                .map(EnvelopeCodec::decode).anyMatch(e -> chat.equals(e.chatId())));
        Envelope envelope = RECEIVED.stream().map(EnvelopeCodec::decode)
                .filter(e -> chat.equals(e.chatId())).findFirst().orElseThrow();
        assertThat(envelope.channel()).isEqualTo("telegram");
        assertThat(envelope.text()).isEqualTo("from the kamelet");
        assertThat(envelope.chatType()).isEqualTo(ChatType.DIRECT);
        assertThat(envelope.id()).isEqualTo(chat + ":" + update.path("message").path("message_id").asText());
        assertThat(envelope.traceId()).isNotBlank();
    }

    @Test
    void sinkSendsALongReplyAsPlainTextPiecesAnsweringTheMessageInAGroup() {
        String group = TelegramWebhookTest.groupChat();
        String text = TelegramWebhookTest.longText(4100);

        Exchange result = camel.createProducerTemplate().send("direct:reply",
                e -> e.getMessage().setBody(EnvelopeCodec.encode(reply(group, ChatType.GROUP, text))));

        assertThat(result.getException()).isNull();
        List<JsonNode> sent = TELEGRAM.sent(group);
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).path("reply_parameters").path("message_id").asLong()).isEqualTo(77);
        assertThat(sent.get(1).has("reply_parameters")).isFalse();
        assertThat(sent.get(0).has("parse_mode")).isFalse();
        assertThat(sent.get(0).path("text").asText() + " " + sent.get(1).path("text").asText()).isEqualTo(text);
    }

    @Test
    void sinkRaisesTelegramsRefusalWithRetryAfterAndWithoutTheToken() {
        String chat = TelegramWebhookTest.privateChat();
        TELEGRAM.failNextSend(chat, 1, 429, "Too Many Requests: retry after 3", 3);

        Exchange result = camel.createProducerTemplate().send("direct:reply",
                e -> e.getMessage().setBody(EnvelopeCodec.encode(reply(chat, ChatType.DIRECT, "hi"))));

        assertThat(result.getException()).isInstanceOf(PlatformException.class);
        PlatformException failure = (PlatformException) result.getException();
        assertThat(failure.status()).isEqualTo(429);
        assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(failure.getMessage()).doesNotContain(FakeTelegramServer.TOKEN).contains("Too Many Requests");
    }

    @Test
    void tokensInCamelTelegramMessagesAreRedacted() {
        assertThat(TelegramKamelets.redact("http://x/bot" + FakeTelegramServer.TOKEN + "/sendMessage responded"))
                .doesNotContain(FakeTelegramServer.TOKEN).contains("bot<token>/sendMessage");
    }

    private static Envelope reply(String chat, ChatType type, String text) {
        return Envelope.builder().id("m1:reply").inReplyTo("m1").channel("telegram").chatId(chat).chatType(type)
                .replyTo("77").text(text).build();
    }
}
