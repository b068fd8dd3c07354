package routes.channel.web;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import routes.envelope.EnvelopeCodec;

/**
 * Answers an HTTP request from a future: the request is left open when the controller returns, and the answer is
 * written as JSON once the future completes, with the servlet's non-blocking output: the body is handed to the
 * container, which writes it as the client reads, so a client that reads slowly (or not at all) holds no thread.
 * The output is made ready while the message is on its way (the container's first call-back comes from its worker
 * and I/O threads), so the thread that completes the future writes the answer itself, without a hand-off.
 *
 * <p>Returning the future to Spring MVC does the same with a second dispatch of the request through the filters and
 * the DispatcherServlet, which cost about a twentieth of an API request's CPU. The security headers are on the
 * response already: they are written when the request comes in. A controller that uses this takes the
 * {@link HttpServletResponse} as a parameter and returns nothing, so Spring MVC leaves the response alone.
 */
final class AsyncAnswer {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncAnswer.class);

    private AsyncAnswer() {
    }

    /**
     * Writes {@code answer} once it completes; a future that fails is answered 500 (callers turn their failures into
     * answers themselves). {@code timeout} only bounds the container's own wait: the future must complete sooner.
     */
    static void write(HttpServletRequest request, HttpServletResponse response,
            CompletionStage<? extends ResponseEntity<?>> answer, Duration timeout) {
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(timeout.toMillis());
        Body body = new Body(async, response);
        try {
            response.getOutputStream().setWriteListener(body);
        } catch (IOException | RuntimeException e) {
            LOG.debug("an answer could not be prepared: {}", e.toString());
            complete(async);
            return;
        }
        answer.whenComplete((entity, error) -> body.answer(error == null ? entity
                : ApiError.of(500, "internal_error", "the request could not be answered")));
    }

    /** Ends an asynchronous request; one the container already ended (a timeout, a failed client) stays ended. */
    static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            LOG.debug("the request was already complete: {}", e.toString());
        }
    }

    /** One answer: written once it is there and the connection takes data; the request ends once it is all out. */
    private static final class Body implements WriteListener {

        private final AsyncContext async;
        private final HttpServletResponse response;
        private byte[] bytes;
        private boolean handedOver;
        private boolean done;

        Body(AsyncContext async, HttpServletResponse response) {
            this.async = async;
            this.response = response;
        }

        synchronized void answer(ResponseEntity<?> answer) {
            try {
                byte[] json = EnvelopeCodec.mapper().writeValueAsBytes(answer.getBody());
                response.setStatus(answer.getStatusCode().value());
                answer.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
                if (answer.getHeaders().getContentType() == null) {
                    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                }
                response.setContentLength(json.length);
                bytes = json;
                write();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public synchronized void onWritePossible() throws IOException {
            write();
        }

        @Override
        public synchronized void onError(Throwable error) {
            fail(error);
        }

        /** Hands the answer over, then ends the request once the container has written it. Holds the lock. */
        private void write() throws IOException {
            ServletOutputStream out = response.getOutputStream();
            // not ready: the container calls onWritePossible once it is (the first time, once the output is set up)
            if (done || bytes == null || !out.isReady()) {
                return;
            }
            if (!handedOver) {
                handedOver = true;
                out.write(bytes); // what the connection does not take yet, the container keeps and writes later
            }
            if (out.isReady()) {
                done = true;
                complete(async);
            }
        }

        private void fail(Throwable error) {
            // the client left, or the container gave up on the request first: nobody is there to read an answer
            LOG.debug("an answer could not be written: {}", error.toString());
            if (!done) {
                done = true;
                complete(async);
            }
        }
    }
}
