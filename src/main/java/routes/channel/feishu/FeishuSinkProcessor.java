package routes.channel.feishu;

import java.time.Clock;
import java.time.Duration;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;

/**
 * Delivers the reply envelope in the body (JSON or an {@link Envelope}) to Feishu, for
 * {@code kamelets/feishu-sink.kamelet.yaml}. Same delivery as the gateway's egress (token cache, split, Feishu's
 * uuid idempotency, resume after the last sent piece), without the cluster-wide rate limit; failures are
 * {@link routes.channel.PlatformException}s for the integrator's error handler.
 */
public class FeishuSinkProcessor extends AsyncProcessorSupport {

    private final FeishuProperties properties = new FeishuProperties();
    private volatile FeishuSender sender;

    public void setAppId(String v) { properties.setAppId(v); }
    public void setAppSecret(String v) { properties.setAppSecret(v); }
    public void setApiUrl(String v) {
        if (v != null && !v.isBlank()) {
            properties.setApiUrl(v);
        }
    }
    public void setChunkSize(int v) { properties.setChunkSize(v); }
    public void setTimeout(String v) {
        if (v != null && !v.isBlank()) {
            properties.setTimeout(Duration.parse(v.trim()));
        }
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        try {
            Object body = exchange.getMessage().getBody();
            if (!(body instanceof Envelope)) {
                exchange.getMessage().setBody(EnvelopeCodec.decode(exchange.getMessage().getBody(byte[].class)));
            }
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        return sender().process(exchange, callback);
    }

    private FeishuSender sender() {
        FeishuSender current = sender;
        if (current == null) {
            synchronized (this) {
                if (sender == null) {
                    sender = new FeishuSender(new FeishuApi(properties, Clock.systemUTC()), properties.getChunkSize(),
                            null);
                }
                current = sender;
            }
        }
        return current;
    }

    @Override
    public String toString() {
        return "FeishuSinkProcessor[" + properties + "]";
    }
}
