package routes.channel.web;

import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Turns every failure of the HTTP interfaces into a JSON error with a 4xx or 5xx status; nothing leaks a trace. */
@RestControllerAdvice
public class ApiExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(InputLimits.Rejected.class)
    ResponseEntity<Map<String, Object>> rejected(InputLimits.Rejected e) {
        return ApiError.of(e.status(), e.code(), e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        return ApiError.of(400, "bad_json", "the request body is not valid JSON of the expected shape");
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return ApiError.of(415, "unsupported_media_type", "send the request body as application/json");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
        return ApiError.of(405, "method_not_allowed", "method " + e.getMethod() + " is not allowed here");
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, Object>> notFound(NoResourceFoundException e) {
        return ApiError.of(404, "not_found", "no such resource");
    }

    /** The client went away (e.g. closed a stream): nothing to answer, nothing alarming. */
    @ExceptionHandler(org.springframework.web.context.request.async.AsyncRequestNotUsableException.class)
    void clientGone(Exception e) {
        LOG.debug("client disconnected: {}", e.toString());
    }

    /** A body declared as multipart that cannot be read as one (no interface here takes multipart). */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Map<String, Object>> multipart(MultipartException e) {
        return ApiError.of(400, "bad_multipart", "the request body is not readable multipart; send application/json");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e) {
        // Spring's own request errors (an Accept header no answer can meet, a missing parameter …) carry their 4xx
        if (e instanceof ErrorResponse known && known.getStatusCode().is4xxClientError()) {
            int status = known.getStatusCode().value();
            return ApiError.of(status, code(status), "the request cannot be answered: " + ApiError.reason(status));
        }
        LOG.error("unexpected error in an HTTP request", e);
        return ApiError.of(500, "internal_error", "the request could not be processed");
    }

    /** {@code not_acceptable} for 406 and so on; {@code bad_request} for a status without a name. */
    private static String code(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "bad_request" : known.name().toLowerCase(Locale.ROOT);
    }
}
