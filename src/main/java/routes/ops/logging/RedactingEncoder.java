package routes.ops.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Wraps an appender's encoder so that every line it writes passes through the {@link LogRedactor}: the same for
 * the text pattern and the structured JSON formats (ecs, logstash, gelf), messages, MDC values and stack traces
 * alike, because it sees the finished line.
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {

    private final Encoder<ILoggingEvent> delegate;
    private final Charset charset;

    public RedactingEncoder(Encoder<ILoggingEvent> delegate) {
        this.delegate = delegate;
        // Spring Boot writes UTF-8 unless told otherwise; a pattern encoder says which charset it uses
        this.charset = delegate instanceof LayoutWrappingEncoder<?> wrapping && wrapping.getCharset() != null
                ? wrapping.getCharset() : StandardCharsets.UTF_8;
        setContext(delegate instanceof EncoderBase<?> base ? base.getContext() : null);
    }

    /** The encoder whose lines this one redacts. */
    public Encoder<ILoggingEvent> delegate() {
        return delegate;
    }

    @Override
    public byte[] headerBytes() {
        return redact(delegate.headerBytes());
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return redact(delegate.encode(event));
    }

    @Override
    public byte[] footerBytes() {
        return redact(delegate.footerBytes());
    }

    @Override
    public void start() {
        if (!delegate.isStarted()) {
            delegate.start();
        }
        super.start();
    }

    @Override
    public void stop() {
        delegate.stop();
        super.stop();
    }

    private byte[] redact(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return bytes;
        }
        String line = new String(bytes, charset);
        String redacted = LogRedactor.current().redact(line);
        return redacted == line ? bytes : redacted.getBytes(charset);
    }
}
