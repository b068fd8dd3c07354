package routes.channel.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Message bodies and how the Graph API's answers map to sent, retriable and refused. */
class WhatsAppApiTest {

    @Test
    void textAndTemplateBodies() {
        assertThat(WhatsAppApi.body("111", new WhatsAppApi.Text("hi")).toString()).isEqualTo(
                "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"111\",\"type\":\"text\","
                        + "\"text\":{\"preview_url\":false,\"body\":\"hi\"}}");
        assertThat(WhatsAppApi.body("111", new WhatsAppApi.Template("t", "en_US")).toString()).isEqualTo(
                "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"111\","
                        + "\"type\":\"template\",\"template\":{\"name\":\"t\",\"language\":{\"code\":\"en_US\"}}}");
    }

    @Test
    void sentAnswerGivesTheMessageId() {
        assertThat(WhatsAppApi.outcome(200, "{\"messages\":[{\"id\":\"wamid.X\"}]}", null)).isEqualTo("wamid.X");
    }

    @Test
    void throttlingIsRetriableWhateverTheStatus() {
        assertThatThrownBy(() -> WhatsAppApi.outcome(429, "", "3"))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.retriable()).isTrue();
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
                });
        assertThatThrownBy(() -> WhatsAppApi.outcome(400, "{\"error\":{\"code\":131056,\"message\":\"pair\"}}", null))
                .isInstanceOfSatisfying(GraphApiException.class, e -> assertThat(e.retriable()).isTrue());
        assertThatThrownBy(() -> WhatsAppApi.outcome(502, "<html>", null))
                .isInstanceOfSatisfying(GraphApiException.class, e -> assertThat(e.retriable()).isTrue());
    }

    @Test
    void refusalsAreNotRetriedAndKeepTheirCode() {
        assertThatThrownBy(() -> WhatsAppApi.outcome(400,
                "{\"error\":{\"code\":131047,\"message\":\"Re-engagement message\"}}", null))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.errorCode()).isEqualTo(GraphApiException.WINDOW_CLOSED);
                    assertThat(e.getMessage()).contains("131047");
                });
        assertThatThrownBy(() -> WhatsAppApi.outcome(401, "{\"error\":{\"code\":190}}", null))
                .isInstanceOfSatisfying(GraphApiException.class, e -> assertThat(e.retriable()).isFalse());
    }
}
