package routes.channel.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The JSON error body of every HTTP interface, in the OpenAI shape so OpenAI clients read it too:
 * {@code {"error":{"message":"…","type":"invalid_request_error","code":"missing_text","param":null}}}.
 */
public final class ApiError {

    private ApiError() {
    }

    public static ResponseEntity<Map<String, Object>> of(int status, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type(status));
        error.put("code", code);
        error.put("param", null);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(Map.of("error", error));
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
