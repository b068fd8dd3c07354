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
        answer.whenComplete((entity, error) -> write(async, error == null ? entity
                : ApiError.of(500, "internal_error", "the request could not be answered")));
    }

    private static void write(AsyncContext async, ResponseEntity<?> answer) {
        try {
            HttpServletResponse out = (HttpServletResponse) async.getResponse();
            byte[] body = EnvelopeCodec.mapper().writeValueAsBytes(answer.getBody());
            out.setStatus(answer.getStatusCode().value());
            answer.getHeaders().forEach((name, values) -> values.forEach(value -> out.addHeader(name, value)));
            if (answer.getHeaders().getContentType() == null) {
                out.setContentType(MediaType.APPLICATION_JSON_VALUE);
            }
            out.setContentLength(body.length);
            ServletOutputStream stream = out.getOutputStream();
            stream.setWriteListener(new Body(async, stream, body));
        } catch (IOException | RuntimeException e) {
            // the client left, or the container gave up on the request first: nobody is there to read an answer
            LOG.debug("an answer could not be written: {}", e.toString());
            complete(async);
        }
    }

    private static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            LOG.debug("the request was already complete: {}", e.toString());
        }
    }

    /** Hands the body to the container once the connection takes data, and ends the request once it is all out. */
    private static final class Body implements WriteListener {

        private final AsyncContext async;
        private final ServletOutputStream out;
        private byte[] body;

        Body(AsyncContext async, ServletOutputStream out, byte[] body) {
            this.async = async;
            this.out = out;
            this.body = body;
        }

        @Override
        public synchronized void onWritePossible() throws IOException {
            if (body != null) {
                byte[] all = body;
                body = null;
                out.write(all); // what the connection does not take yet, the container keeps and writes later
            }
            if (out.isReady()) {
                complete(async); // else the container calls again once the rest is written
            }
        }

        @Override
        public void onError(Throwable error) {
            LOG.debug("an answer could not be written: {}", error.toString());
            complete(async);
        }
    }
}
