package routes.channel.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The JSON error body of every HTTP interface, in the OpenAI shape so OpenAI clients read it too:
 * {@code {"error":{"message":"…","type":"invalid_request_error","code":"missing_text","param":null}}}.
 */
public final class ApiError {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiError() {
    }

    public static ResponseEntity<Map<String, Object>> of(int status, String code, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body(status, code, message));
    }

    /** The error body as a map: {@code {"error":{"message","type","code","param"}}}. */
    public static Map<String, Object> body(int status, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type(status));
        error.put("code", code);
        error.put("param", null);
        return Map.of("error", error);
    }

    /** The error body as JSON text. */
    public static String json(int status, String code, String message) {
        try {
            return JSON.writeValueAsString(body(status, code, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body of plain strings cannot fail to serialise", e);
        }
    }

    /** Writes the error body as the whole answer of a servlet response (filters that answer before MVC runs). */
    public static void write(jakarta.servlet.http.HttpServletResponse response, int status, String code,
            String message) throws java.io.IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(json(status, code, message).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Makes the Camel message the HTTP answer {@code status} with the error body, for routes that answer HTTP
     * themselves (webhooks). Request headers are dropped first, or they would be echoed as response headers.
     */
    public static void respond(Exchange exchange, int status, String code, String message) {
        var out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(json(status, code, message));
    }

    static String type(int status) {
        if (status == 401 || status == 403) {
            return "authentication_error";
        }
        if (status == 404) {
            return "not_found_error";
        }
        if (status == 429) {
            return "rate_limit_error";
        }
        return status >= 500 ? "server_error" : "invalid_request_error";
    }

    static String reason(int status) {
        HttpStatus s = HttpStatus.resolve(status);
        return s == null ? "error" : s.getReasonPhrase();
    }
}
