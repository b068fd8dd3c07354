package routes.model;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.DefaultServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEventParsingHandle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A LangChain4j {@link HttpClient} on the JDK client whose streaming path holds no thread while it waits.
 *
 * <p>LangChain4j's own JDK client reads a server-sent event stream from a blocking {@code InputStream}, so every
 * open model stream pins one thread for its whole duration. Model calls last seconds and Caravan keeps thousands in
 * flight, so here the body is consumed by a {@link Flow.Subscriber} of lines: a thread is used only while a line is
 * being handed on. Non-2xx answers become a {@link ProviderHttpException} that keeps the response headers
 * (Retry-After matters to the retry policy).
 *
 * <p>The parser a module passes says how the stream is framed, but it reads a blocking stream, so it is not run:
 * its two framings are done here instead. LangChain4j's {@link DefaultServerSentEventParser} (OpenAI, Anthropic)
 * means server-sent events; a parser of the module's own means one event per line, which is how the Ollama module
 * reads Ollama's newline-delimited JSON.
 */
public final class NonBlockingHttpClient implements HttpClient {

    private final java.net.http.HttpClient delegate;
    private final Duration readTimeout;

    NonBlockingHttpClient(java.net.http.HttpClient delegate, Duration readTimeout) {
        this.delegate = delegate;
        this.readTimeout = readTimeout;
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        try {
            HttpResponse<String> response = delegate.send(toJdk(request), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() < 200 || response.statusCode() > 299) {
                throw new ProviderHttpException(response.statusCode(), response.body(), response.headers());
            }
            return SuccessfulHttpResponse.builder()
                    .statusCode(response.statusCode())
                    .headers(response.headers().map())
                    .body(response.body())
                    .build();
        } catch (HttpTimeoutException e) {
            throw new TimeoutException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the model provider", e);
        } catch (IOException e) {
            throw new IllegalStateException("model provider unreachable: " + e.getMessage(), e);
        }
    }

    /** Streams events, framed as {@code parser} would frame them (see the class comment). */
    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        boolean eventPerLine = parser != null && !(parser instanceof DefaultServerSentEventParser);
        SseLineSubscriber subscriber = new SseLineSubscriber(listener, eventPerLine);
        CompletableFuture<HttpResponse<Void>> call = delegate.sendAsync(toJdk(request), info -> {
            if (info.statusCode() >= 200 && info.statusCode() <= 299) {
                listener.onOpen(SuccessfulHttpResponse.builder()
                        .statusCode(info.statusCode())
                        .headers(info.headers().map())
                        .build());
                return BodySubscribers.fromLineSubscriber(subscriber);
            }
            return BodySubscribers.mapping(BodySubscribers.ofString(StandardCharsets.UTF_8), body -> {
                subscriber.fail(new ProviderHttpException(info.statusCode(), body, info.headers()));
                return null;
            });
        });
        subscriber.call = call;
        call.whenComplete((response, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                subscriber.fail(cause instanceof HttpTimeoutException ? new TimeoutException(cause) : cause);
            }
        });
    }

    private java.net.http.HttpRequest toJdk(HttpRequest request) {
        var builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()));
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        builder.method(request.method().name(), request.body() == null
                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : new WrappedBody(request.body()));
        if (readTimeout != null) {
            builder.timeout(readTimeout);
        }
        if (request.url().startsWith("https:")) {
            // many concurrent streams share a few TLS connections; plain http stays 1.1 (no h2c upgrade dance)
            builder.version(java.net.http.HttpClient.Version.HTTP_2);
        }
        return builder.build();
    }

    /**
     * Turns lines into server-sent events (the WHATWG event-stream format), or each non-blank line into one event,
     * and ends the listener exactly once.
     */
    private static final class SseLineSubscriber implements Flow.Subscriber<String>, ServerSentEventParsingHandle {

        private final ServerSentEventListener listener;
        private final boolean eventPerLine;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final StringBuilder data = new StringBuilder();
        private volatile Flow.Subscription subscription;
        private volatile CompletableFuture<?> call;
        private String event;

        SseLineSubscriber(ServerSentEventListener listener, boolean eventPerLine) {
            this.listener = listener;
            this.eventPerLine = eventPerLine;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled.get()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(String line) {
            if (cancelled.get()) {
                return;
            }
            if (eventPerLine) {
                if (!line.isBlank()) {
                    deliver(new ServerSentEvent(null, line));
                }
            } else if (line.isEmpty()) {
                dispatch();
            } else if (line.startsWith(":")) {
                // a comment: servers send these as keep-alives
            } else {
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                if (field.equals("data")) {
                    if (data.length() > 0) {
                        data.append('\n');
                    }
                    data.append(value);
                } else if (field.equals("event")) {
                    event = value;
                }
            }
        }

        private void dispatch() {
            if (data.length() == 0 && event == null) {
                return;
            }
            ServerSentEvent sse = new ServerSentEvent(event, data.toString());
            data.setLength(0);
            event = null;
            deliver(sse);
        }

        private void deliver(ServerSentEvent sse) {
            try {
                listener.onEvent(sse, new ServerSentEventContext(this));
            } catch (RuntimeException e) {
                cancel();
                fail(e);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            fail(throwable);
        }

        @Override
        public void onComplete() {
            dispatch();
            if (finished.compareAndSet(false, true) && !cancelled.get()) {
                listener.onClose();
            }
        }

        void fail(Throwable throwable) {
            if (finished.compareAndSet(false, true)) {
                listener.onError(throwable);
            }
        }

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                Flow.Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
                CompletableFuture<?> c = call;
                if (c != null) {
                    c.cancel(true);
                }
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }
    }

    /** A provider's non-2xx answer, with its headers. */
    public static final class ProviderHttpException extends HttpException {

        private final transient HttpHeaders headers;

        public ProviderHttpException(int status, String body, HttpHeaders headers) {
            super(status, body);
            this.headers = headers;
        }

        /** The Retry-After header in seconds, when the provider sent one as a number. */
        public Duration retryAfter() {
            return headers.firstValue("Retry-After")
                    .flatMap(v -> {
                        try {
                            return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
                        } catch (NumberFormatException e) {
                            return java.util.Optional.empty();
                        }
                    })
                    .orElse(null);
        }
    }
}
