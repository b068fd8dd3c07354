package routes.channel.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the public interfaces before any controller or WebSocket handshake runs.
 *
 * <ul>
 *   <li>Until Camel's routes run, messages cannot be accepted: the HTTP server starts first, so without this a
 *       client would connect and be refused message by message. Interfaces answer 503 with a JSON error and a
 *       Retry-After instead, and the web page simply reconnects a moment later.</li>
 *   <li>A body declared larger than the server reads gets a clear 413 JSON error, not a dropped connection. The
 *       refused body is still read and thrown away (up to {@code server.undertow.max-http-post-size}): a client
 *       that writes its whole request before reading the answer would otherwise find the connection reset under
 *       it, the 413 lost with it.</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class EdgeGuard extends OncePerRequestFilter {

    /** Largest request body read (matches server.undertow.max-http-post-size). */
    static final long MAX_BODY_BYTES = 8L * 1024 * 1024;

    private final CamelContext camel;
    private final long drainedBytes;

    public EdgeGuard(CamelContext camel,
            @Value("${server.undertow.max-http-post-size:16MB}") DataSize serverMaxBody) {
        this.camel = camel;
        this.drainedBytes = serverMaxBody.toBytes();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.startsWith("/ws") || path.startsWith("/api/") || path.startsWith("/v1/")
                || path.startsWith("/webhooks/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!camel.isStarted()) {
            response.setHeader("Retry-After", "2");
            ApiError.write(response, 503, "starting", "Caravan is starting; try again in a moment");
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            response.setHeader("Connection", "close");
            ApiError.write(response, 413, "body_too_large",
                    "the request body is larger than " + MAX_BODY_BYTES + " bytes");
            response.flushBuffer();
            if (declared <= drainedBytes) {
                try (var body = request.getInputStream()) {
                    body.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    // the client stopped sending: nothing is left to protect
                }
            }
            return;
        }
        chain.doFilter(request, response);
    }
}
