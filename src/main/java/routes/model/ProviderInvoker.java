package routes.model;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.TokenUsage;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.springframework.stereotype.Component;

/**
 * Calls one provider once, streaming, for the {@link ProviderCall} in the body; leaves a {@link ModelReply} there.
 *
 * <p>Asks the provider's circuit breaker first (an open circuit fails at once, without a call) and reports the
 * outcome to it. A failure leaves the wait before the next try in {@link Exchange#REDELIVERY_DELAY}: exponential
 * backoff, or what the provider's Retry-After asked when that is longer. The thread that called returns at once;
 * the exchange continues on the I/O thread that received the answer.
 */
@Component
public class ProviderInvoker extends AsyncProcessorSupport {

    private final ModelClients clients;
    private final CircuitBreakers breakers;

    private final routes.ops.PipelineMetrics metrics;

    public ProviderInvoker(ModelClients clients, CircuitBreakers breakers, routes.ops.PipelineMetrics metrics) {
        this.clients = clients;
        this.breakers = breakers;
        this.metrics = metrics;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProviderCall call = exchange.getMessage().getBody(ProviderCall.class);
        CircuitBreaker breaker = breakers.of(call.providerName());
        if (!breaker.tryAcquirePermission()) {
            metrics.modelCall(call.providerName(), "circuit_open");
            exchange.setException(CallNotPermittedException.createCallNotPermittedException(breaker));
            callback.done(true);
            return true;
        }
        long started = breaker.getCurrentTimestamp();
        invoke(call).whenComplete((reply, error) -> {
            long elapsed = breaker.getCurrentTimestamp() - started;
            if (error == null) {
                breaker.onSuccess(elapsed, breaker.getTimestampUnit());
                metrics.modelCall(call.providerName(), "ok");
                exchange.getMessage().setBody(reply);
            } else {
                Throwable cause = ModelGateway.unwrap(error);
                breaker.onError(elapsed, breaker.getTimestampUnit(), cause);
                metrics.modelCall(call.providerName(), "error");
                exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, nextDelay(call, exchange, cause).toMillis());
                exchange.setException(cause);
            }
            callback.done(false);
        });
        return false;
    }

    /** How long to wait before trying this provider again: exponential backoff, at least its Retry-After. */
    static Duration nextDelay(ProviderCall call, Exchange exchange, Throwable cause) {
        ModelProperties.Retry retry = call.provider().getRetry();
        int done = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        long backoff = retry.getInitialBackoff().toMillis() << Math.min(done, 20);
        Duration delay = Duration.ofMillis(Math.min(backoff, retry.getMaxBackoff().toMillis()));
        Duration asked = ProviderFailures.retryAfter(cause);
        return asked != null && asked.compareTo(delay) > 0 ? asked : delay;
    }

    private static ChatRequest request(ProviderCall call) {
        ChatRequest.Builder request = ChatRequest.builder().messages(call.messages());
        if (!call.tools().isEmpty()) {
            request.toolSpecifications(call.tools());
        }
        return request.build();
    }

    private CompletableFuture<ModelReply> invoke(ProviderCall call) {
        CompletableFuture<ModelReply> result = new CompletableFuture<>();
        AtomicReference<StreamingHandle> handle = new AtomicReference<>();
        try {
            clients.model(call.providerName(), call.provider(), call.model(), call.profile())
                    .chat(request(call), new StreamingChatResponseHandler() {
                        @Override
                        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                            handle.set(context.streamingHandle());
                            if (result.isDone()) {
                                context.streamingHandle().cancel();
                                return;
                            }
                            String text = partial.text();
                            // only fragments someone sees bind the call: unseen, it may still be retried or
                            // replaced by the fallback when it fails half-way
                            if (text != null && !text.isEmpty() && call.onDelta() != null) {
                                call.streamed().set(true);
                                call.onDelta().accept(text);
                            }
                        }

                        @Override
                        public void onCompleteResponse(ChatResponse response) {
                            AiMessage ai = response.aiMessage();
                            TokenUsage usage = response.tokenUsage();
                            result.complete(new ModelReply(ai == null || ai.text() == null ? "" : ai.text(),
                                    call.providerName(),
                                    response.modelName() != null ? response.modelName() : call.model(),
                                    usage == null ? null : usage.inputTokenCount(),
                                    usage == null ? null : usage.outputTokenCount(),
                                    ai == null ? null : ai.toolExecutionRequests()));
                        }

                        @Override
                        public void onError(Throwable error) {
                            result.completeExceptionally(error);
                        }
                    });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result.orTimeout(call.provider().getTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    StreamingHandle h = handle.get();
                    if (e != null && h != null && !h.isCancelled()) {
                        h.cancel();
                    }
                });
    }
}
