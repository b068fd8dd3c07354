package routes.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import routes.channel.web.ApiError;
import routes.ops.AuditLog;

/**
 * Finds out who calls: a static token (the gateway token or a named one) sent as {@code Authorization: Bearer},
 * as the password of HTTP Basic (for browsers opening Hawtio), or as {@code ?token=} on a GET (a browser's
 * WebSocket cannot send headers); else a JWT validated against the identity provider's keys. Tokens are compared
 * in constant time. Without any authentication configured, callers on this machine are trusted (Caravan then
 * listens on loopback only). A wrong or expired credential is answered 401 here and audited; a request without
 * one goes on unauthenticated, and the authorization rules decide. With no authentication configured, credentials
 * are ignored (an OpenAI SDK always sends its API key) and loopback callers are admins.
 */
public class GatewayAuthentication extends OncePerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayAuthentication.class);

    private final AuthProperties properties;
    private final List<StaticToken> tokens;
    private final JwtDecoder jwt;
    private final List<IpAddressMatcher> allowlist;
    private final AuditLog audit;
    private final java.util.function.Predicate<HttpServletRequest> publicPath;

    record StaticToken(String name, byte[] value, Role role) {
    }

    public GatewayAuthentication(AuthProperties properties, Collection<AuthProperties.NamedToken> extra,
            JwtDecoder jwt, AuditLog audit, java.util.function.Predicate<HttpServletRequest> publicPath) {
        this.properties = properties;
        this.jwt = jwt;
        this.audit = audit;
        this.publicPath = publicPath;
        List<StaticToken> all = new ArrayList<>();
        if (!properties.getToken().isBlank()) {
            all.add(new StaticToken("gateway", bytes(properties.getToken()), Role.ADMIN));
        }
        for (AuthProperties.NamedToken t : properties.getTokens()) {
            if (!t.getToken().isBlank()) {
                all.add(new StaticToken(t.getName(), bytes(t.getToken()), t.getRole()));
            }
        }
        for (AuthProperties.NamedToken t : extra) {
            if (!t.getToken().isBlank()) {
                all.add(new StaticToken(t.getName(), bytes(t.getToken()), t.getRole()));
            }
        }
        this.tokens = List.copyOf(all);
        this.allowlist = properties.getIpAllowlist().stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(IpAddressMatcher::new).toList();
    }

    /** Whether any static token or JWT validation is configured. */
    public boolean authenticationConfigured() {
        return !tokens.isEmpty() || jwt != null;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return publicPath.test(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String ip = request.getRemoteAddr();
        if (!allowlist.isEmpty() && allowlist.stream().noneMatch(m -> m.matches(ip))) {
            refuse(request, response, 403, "ip_not_allowed", "Your address may not call Caravan "
                    + "(caravan.auth.ip-allowlist).", "ip_refused");
            return;
        }
        Optional<String> credential = authenticationConfigured() ? credential(request) : Optional.empty();
        if (credential.isPresent()) {
            Caller caller = authenticate(credential.get(), request, response);
            if (caller == null) {
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(caller);
        } else if (!authenticationConfigured() && isLoopback(ip)) {
            SecurityContextHolder.getContext().setAuthentication(new Caller("local", Caller.Method.LOOPBACK,
                    Role.ADMIN));
        }
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    /** The caller for {@code credential}, or null after answering 401. */
    private Caller authenticate(String credential, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        byte[] given = bytes(credential);
        StaticToken found = null;
        for (StaticToken token : tokens) {
            // every token is compared, so the time taken does not tell which one (or how much of it) matched
            if (MessageDigest.isEqual(given, token.value()) && found == null) {
                found = token;
            }
        }
        if (found != null) {
            return new Caller(found.name(), Caller.Method.TOKEN, found.role());
        }
        if (jwt != null && credential.chars().filter(c -> c == '.').count() == 2) {
            try {
                Jwt decoded = jwt.decode(credential);
                return new Caller(decoded.getSubject() == null ? "jwt" : decoded.getSubject(), Caller.Method.JWT,
                        highestRole(decoded.getClaim(properties.getJwt().getRolesClaim())));
            } catch (JwtValidationException e) {
                boolean expired = e.getErrors().stream().anyMatch(err -> String.valueOf(err.getDescription())
                        .toLowerCase(java.util.Locale.ROOT).contains("expired"));
                refuse(request, response, 401, expired ? "token_expired" : "invalid_token", expired
                        ? "The token has expired; get a new one." : "The token was not accepted: "
                        + e.getErrors().iterator().next().getDescription(), "token_refused");
                return null;
            } catch (JwtException e) {
                LOG.debug("JWT not accepted: {}", e.getMessage());
            }
        }
        refuse(request, response, 401, "invalid_token", "The token was not accepted.", "token_refused");
        return null;
    }

    /** The highest of Caravan's roles named in the claim; a token naming none of them is a user. */
    static Role highestRole(Object claim) {
        List<String> names = new ArrayList<>();
        if (claim instanceof Collection<?> list) {
            list.forEach(v -> names.add(String.valueOf(v)));
        } else if (claim instanceof String text) {
            names.addAll(List.of(text.split("[\\s,]+")));
        }
        Role best = Role.USER;
        for (String name : names) {
            Role role = Role.parse(name).orElse(null);
            if (role != null && role.includes(best)) {
                best = role;
            }
        }
        return best;
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, int status, String code,
            String message, String auditType) throws IOException {
        audit.record("auth." + auditType, null, request, Map.of("path", request.getRequestURI(), "method", request.getMethod(), "reason", code));
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"caravan\"");
        }
        ApiError.write(response, status, code, message);
    }

    private static Optional<String> credential(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null) {
            if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.of(header.substring(7).trim());
            }
            if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
                try {
                    String pair = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                            StandardCharsets.UTF_8);
                    int colon = pair.indexOf(':');
                    return Optional.of(colon < 0 ? pair : pair.substring(colon + 1));
                } catch (IllegalArgumentException e) {
                    return Optional.of("");
                }
            }
            return Optional.of("");
        }
        if ("GET".equals(request.getMethod())) {
            String token = request.getParameter("token");
            if (token != null) {
                return Optional.of(token);
            }
        }
        return Optional.empty();
    }

    static boolean isLoopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
