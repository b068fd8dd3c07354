package routes.ops.logging;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;

/**
 * Names the message being processed in the MDC, so every log line a step writes carries {@code channel},
 * {@code chatId}, {@code messageId}, {@code route} (the route the step runs in) and {@code traceId}.
 *
 * <p>A route that decodes a message {@linkplain #attach attaches} it to the exchange; from then on this intercept
 * strategy (picked up by Camel from the Spring context) puts the keys around every processor of every route and
 * takes them away when the processor returns, on the thread that called it. A step that continues on another
 * thread (a model answer, a Kafka acknowledgement) gets them again from the next processor it runs, so no key is
 * left behind on a thread that goes on to other work. Code outside routes uses {@link #open(Envelope)}.
 *
 * <p>{@code traceId} is the message's own trace id, which the ingress took from the trace of the request that
 * brought the message: the id Micrometer Tracing puts there while a span of that trace is current, and the same id
 * on the steps between spans and when tracing is off. {@code spanId} stays the tracer's.
 */
@Component
public class MessageMdc implements InterceptStrategy {

    /** MDC key: the channel of the message. */
    public static final String CHANNEL = "channel";
    /** MDC key: the conversation. */
    public static final String CHAT_ID = "chatId";
    /** MDC key: the message id (on egress: the reply's id). */
    public static final String MESSAGE_ID = "messageId";
    /** MDC key: the id of the route the logging step runs in. */
    public static final String ROUTE = "route";
    /** MDC key: the trace id, the key Micrometer Tracing uses too. */
    public static final String TRACE_ID = "traceId";

    /** Exchange property holding the {@link Keys} of the message an exchange carries. */
    public static final String PROPERTY = "CaravanLogKeys";

    /** The values a message contributes to the MDC. */
    public record Keys(String traceId, String channel, String chatId, String messageId) {

        static Keys of(Envelope message) {
            return new Keys(message.traceId(), message.channel(), message.chatId(), message.id());
        }

        /** Puts these keys (and {@code route} when given) into this thread's MDC until the scope closes. */
        public Scope open(String route) {
            Scope scope = new Scope();
            scope.put(TRACE_ID, traceId);
            scope.put(CHANNEL, channel);
            scope.put(CHAT_ID, chatId);
            scope.put(MESSAGE_ID, messageId);
            scope.put(ROUTE, route);
            return scope;
        }
    }

    /** Values put into the MDC, and what they replaced; closing puts the previous values back. */
    public static final class Scope implements AutoCloseable {

        private final String[] keys = new String[5];
        private final String[] previous = new String[5];
        private int size;

        private void put(String key, String value) {
            if (value == null) {
                return;
            }
            keys[size] = key;
            previous[size] = MDC.get(key);
            size++;
            MDC.put(key, value);
        }

        @Override
        public void close() {
            for (int i = size - 1; i >= 0; i--) {
                if (previous[i] == null) {
                    MDC.remove(keys[i]);
                } else {
                    MDC.put(keys[i], previous[i]);
                }
            }
            size = 0;
        }
    }

    /** Marks {@code exchange} as carrying {@code message}: its steps log with the message's keys. */
    public static void attach(Exchange exchange, Envelope message) {
        exchange.setProperty(PROPERTY, Keys.of(message));
    }

    /** Puts the keys of {@code message} into this thread's MDC, for code outside routes (try-with-resources). */
    public static Scope open(Envelope message) {
        return Keys.of(message).open(null);
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
            Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                Keys keys = exchange.getProperty(PROPERTY, Keys.class);
                if (keys == null) {
                    return processor.process(exchange, callback);
                }
                try (Scope scope = keys.open(ExchangeHelper.getAtRouteId(exchange))) {
                    return processor.process(exchange, callback);
                }
            }

            @Override
            public String toString() {
                return "MessageMdc[" + processor + "]";
            }
        };
    }
}
