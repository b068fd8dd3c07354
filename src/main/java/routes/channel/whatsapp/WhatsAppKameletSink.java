package routes.channel.whatsapp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.channel.PlatformException;
import routes.channel.TextChunker;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;

/**
 * The step of {@code kamelets/whatsapp-sink.kamelet.yaml}: sends a reply envelope (JSON or an {@link Envelope}) to
 * its WhatsApp conversation as text, split at {@code maxText} characters.
 *
 * <p>The kamelet keeps no state, so it does not track the 24-hour window itself: when WhatsApp refuses text
 * because the window is closed (error 131047) and a template is configured, the template is sent instead.
 * Failures are {@link PlatformException}s (retriable for 429, 5xx and throttling codes) for the calling route to
 * retry or dead-letter. Configured through the kamelet's properties (setters).
 */
public class WhatsAppKameletSink implements Processor {

    private String accessToken = "";
    private String phoneNumberId = "";
    private String apiUrl = "https://graph.facebook.com/v21.0";
    private String templateName = "";
    private String templateLanguage = "en_US";
    private int maxText = 4096;
    private final Duration timeout = Duration.ofSeconds(10);
    private volatile WhatsAppApi api;

    /** Access token; never logged. */
    public void setAccessToken(String accessToken) {
        this.accessToken = accessToken == null ? "" : accessToken.trim();
        api = null;
    }

    public void setPhoneNumberId(String phoneNumberId) {
        this.phoneNumberId = phoneNumberId == null ? "" : phoneNumberId.trim();
    }

    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl;
        api = null;
    }

    public void setTemplateName(String templateName) {
        this.templateName = templateName == null ? "" : templateName.trim();
    }

    public void setTemplateLanguage(String templateLanguage) {
        this.templateLanguage = templateLanguage == null || templateLanguage.isBlank() ? "en_US"
                : templateLanguage.trim();
    }

    public void setMaxText(int maxText) {
        this.maxText = maxText;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Object body = exchange.getMessage().getBody();
        Envelope reply = body instanceof Envelope e ? e
                : EnvelopeCodec.decode(exchange.getMessage().getMandatoryBody(byte[].class));
        String number = reply.account() != null && !reply.account().isBlank() ? reply.account() : phoneNumberId;
        List<String> chunks = TextChunker.split(reply.text() == null ? "" : reply.text(), maxText);
        for (String chunk : chunks) {
            try {
                send(number, reply.chatId(), new WhatsAppApi.Text(chunk));
            } catch (GraphApiException e) {
                if (e.errorCode() == GraphApiException.WINDOW_CLOSED && !templateName.isBlank()) {
                    send(number, reply.chatId(), new WhatsAppApi.Template(templateName, templateLanguage));
                    return;
                }
                throw e;
            }
        }
    }

    private void send(String number, String to, WhatsAppApi.Outgoing message) throws Exception {
        try {
            client().send(number, to, message).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new PlatformException(WhatsAppConstants.CHANNEL, 0, "timed out", null);
        }
    }

    private WhatsAppApi client() {
        WhatsAppApi current = api;
        if (current == null) {
            current = WhatsAppApi.create(apiUrl, accessToken, timeout);
            api = current;
        }
        return current;
    }
}
