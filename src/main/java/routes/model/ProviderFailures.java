package routes.model;

import dev.langchain4j.exception.HttpException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** How a provider failure is treated: retried or not, counted against the provider's circuit or not. */
public final class ProviderFailures {

    private ProviderFailures() {
    }

    /** The HTTP status of the provider's answer behind {@code error}, or 0 when there was none. */
    public static int httpStatus(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                return http.statusCode();
            }
        }
        return 0;
    }

    /** What the provider's Retry-After asked for, when it sent one. */
    public static Duration retryAfter(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof NonBlockingHttpClient.ProviderHttpException http) {
                return http.retryAfter();
            }
        }
        return null;
    }

    /** Whether the provider was too slow. */
    public static boolean isTimeout(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof dev.langchain4j.exception.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether trying the same provider again may help: it was overloaded (429), failed on its side (5xx, 408),
     * was too slow, or the connection failed. A refused request (other 4xx) fails the same way again.
     */
    public static boolean retryable(Throwable error) {
        if (error instanceof CallNotPermittedException) {
            return false;
        }
        int status = httpStatus(error);
        if (status != 0) {
            return status == 429 || status == 408 || status >= 500;
        }
        if (isTimeout(error)) {
            return true;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a failure says the provider is unwell and counts towards opening its circuit. A request refused as
     * malformed (400, 404, 422) says nothing about the provider's health; a refused key (401, 403) fails every call,
     * so it counts.
     */
    public static boolean countsAgainstProvider(Throwable error) {
        int status = httpStatus(error);
        if (status != 0) {
            return status == 401 || status == 403 || status == 408 || status == 429 || status >= 500;
        }
        return true;
    }

    /** A short, secret-free description of a provider failure. */
    public static String describe(Throwable error) {
        if (error instanceof CallNotPermittedException) {
            return "circuit open";
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                return "HTTP " + http.statusCode();
            }
            if (t instanceof TimeoutException || t instanceof dev.langchain4j.exception.TimeoutException) {
                return "timeout";
            }
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (t instanceof IOException) {
                return "connection lost";
            }
        }
        return error == null ? "unknown error" : error.getClass().getSimpleName();
    }
}
