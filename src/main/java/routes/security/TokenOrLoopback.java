package routes.security;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The rule of Caravan's operator endpoints (admin API, MCP): with a token configured, the caller must send it as
 * {@code Authorization: Bearer <token>} (compared in constant time); without one, only callers on this machine
 * (loopback) get in.
 */
public final class TokenOrLoopback {

    /** Why a caller is turned away. */
    public enum Refusal {
        /** A token is configured and the caller did not send it (401). */
        BAD_TOKEN,
        /** No token is configured and the caller is not on this machine (403). */
        NOT_LOCAL
    }

    private TokenOrLoopback() {
    }

    /** Null when {@code request} may pass, else why not. */
    public static Refusal check(HttpServletRequest request, String token) {
        if (token != null && !token.isBlank()) {
            String header = request.getHeader("Authorization");
            String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
            return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))
                    ? null : Refusal.BAD_TOKEN;
        }
        return isLoopback(request.getRemoteAddr()) ? null : Refusal.NOT_LOCAL;
    }

    private static boolean isLoopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
