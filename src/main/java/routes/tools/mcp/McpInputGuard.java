package routes.tools.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stands in front of the MCP SDK's servlet for the input it answers with a 5xx: a method it does not implement
 * (501), a body that is JSON but not an object ({@code null} fails inside the SDK), and an {@code initialize}
 * whose params are not an object. Those get a 4xx with a JSON-RPC error body instead; everything else passes on
 * unchanged, the body replayed from memory (the SDK reads at most {@link #MAX_BODY} bytes itself).
 *
 * <p>{@link #errorBodies()} also makes the SDK write its own refusals as JSON-RPC error responses rather than as
 * the whole exception, stack trace included.
 */
final class McpInputGuard extends OncePerRequestFilter {

    /** The MCP SDK's own largest request body. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    private static final Set<String> METHODS = Set.of("GET", "POST", "DELETE", "HEAD", "OPTIONS");
    private static final int INVALID_REQUEST = -32600;
    private static final int INVALID_PARAMS = -32602;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!METHODS.contains(request.getMethod())) {
            response.setHeader("Allow", "GET, POST, DELETE");
            refuse(response, 405, INVALID_REQUEST, "method " + request.getMethod() + " is not allowed here");
            return;
        }
        if (!"POST".equals(request.getMethod()) || request.getContentLengthLong() > MAX_BODY) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            refuse(response, 413, INVALID_REQUEST, "the message is larger than " + MAX_BODY + " bytes");
            return;
        }
        String problem = problem(body);
        if (problem != null) {
            refuse(response, 400, problem.startsWith("params") ? INVALID_PARAMS : INVALID_REQUEST, problem);
            return;
        }
        chain.doFilter(new Replayed(request, body), response);
    }

    /** What the SDK cannot take about this body, or null; JSON it cannot parse at all it refuses well itself. */
    static String problem(byte[] body) {
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (message == null || message.isMissingNode()) {
            return null;
        }
        if (!message.isObject()) {
            return "a message must be a JSON-RPC object";
        }
        if ("initialize".equals(message.path("method").asText()) && !message.path("params").isObject()) {
            return "params of initialize must be an object";
        }
        return null;
    }

    private static void refuse(HttpServletResponse response, int status, int code, String message)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(JSON.writeValueAsBytes(JSON.createObjectNode().put("jsonrpc", "2.0")
                .set("error", JSON.createObjectNode().put("code", code).put("message", message))));
    }

    /**
     * The SDK answers a refused request with the {@link McpError} itself as JSON: with this module that is the
     * JSON-RPC error response without an id that the MCP transport describes, not the exception's every property.
     */
    static SimpleModule errorBodies() {
        return new SimpleModule("caravan-mcp-errors").addSerializer(McpError.class, new ErrorBody());
    }

    /** An {@link McpError} as {@code {"jsonrpc":"2.0","error":{"code":…,"message":…}}}. */
    private static final class ErrorBody extends StdSerializer<McpError> {

        ErrorBody() {
            super(McpError.class);
        }

        @Override
        public void serialize(McpError error, JsonGenerator out, SerializerProvider provider) throws IOException {
            McpSchema.JSONRPCResponse.JSONRPCError detail = error.getJsonRpcError();
            out.writeStartObject();
            out.writeStringField("jsonrpc", "2.0");
            out.writeObjectFieldStart("error");
            out.writeNumberField("code", detail == null ? INVALID_REQUEST : detail.code());
            out.writeStringField("message", detail == null ? error.getMessage() : detail.message());
            out.writeEndObject();
            out.writeEndObject();
        }
    }

    /** The request with its body read already, given again to whoever reads it next. */
    private static final class Replayed extends HttpServletRequestWrapper {

        private final byte[] body;

        Replayed(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already in memory");
                }
            };
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(), encoding == null ? "UTF-8" : encoding));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
