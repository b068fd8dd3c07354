package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.junit.jupiter.api.Test;
import routes.envelope.Envelope;

/** The headers routing rules see are set from the envelope and taken off again, leaving other headers alone. */
class RoutingHeadersTest {

    @Test
    void removeAllTakesOffEveryRoutingHeaderAndNothingElse() {
        Message message = new DefaultMessage(new DefaultCamelContext());
        Envelope envelope = Envelope.builder().id("m1").channel("telegram").chatId("c1").senderId("u1")
                .text("/code fix this").build();
        RoutingHeaders.describe(envelope, message);
        message.setHeader(RoutingHeaders.INTENT, "coding");
        message.setHeader(RoutingHeaders.PROFILE, "coder");
        message.setHeader("CaravanOther", "kept");
        message.setHeader("traceparent", "kept too");
        assertThat(message.getHeaders()).containsKeys(RoutingHeaders.CHANNEL, RoutingHeaders.CHAT_ID,
                RoutingHeaders.CHAT_TYPE, RoutingHeaders.SENDER, RoutingHeaders.TEXT, RoutingHeaders.COMMAND,
                RoutingHeaders.MENTIONED, RoutingHeaders.PRIORITY);

        RoutingHeaders.removeAll(message);

        assertThat(message.getHeaders()).containsOnlyKeys("CaravanOther", "traceparent");
        assertThat(message.getBody(String.class)).isEqualTo("/code fix this");
    }
}
