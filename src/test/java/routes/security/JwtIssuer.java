package routes.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** A stand-in identity provider: an RSA key, its JWKS served over real HTTP on loopback, and signed tokens. */
public final class JwtIssuer implements AutoCloseable {

    public static final String ISSUER = "https://id.caravan.test";
    public static final String AUDIENCE = "caravan";

    private final RSAKey key;
    private final HttpServer server;

    public JwtIssuer() {
        try {
            key = new RSAKeyGenerator(2048).keyID("k-" + System.nanoTime()).generate();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (JOSEException | IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        server.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(jwks);
            }
        });
        server.start();
    }

    public String jwksUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    /** A token for {@code subject} with {@code roles}, valid for {@code lifetime} (negative: already expired). */
    public String token(String subject, List<String> roles, Duration lifetime, String issuer, String audience) {
        return sign(key, subject, roles, lifetime, issuer, audience);
    }

    public String token(String subject, List<String> roles) {
        return token(subject, roles, Duration.ofMinutes(5), ISSUER, AUDIENCE);
    }

    /** A well-formed token signed by a key the identity provider never published. */
    public static String forged(String subject, List<String> roles) {
        try {
            return sign(new RSAKeyGenerator(2048).keyID("forger").generate(), subject, roles, Duration.ofMinutes(5),
                    ISSUER, AUDIENCE);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(RSAKey key, String subject, List<String> roles, Duration lifetime, String issuer,
            String audience) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issuer(issuer)
                .audience(audience)
                .issueTime(Date.from(now.plus(lifetime).minus(Duration.ofMinutes(10))))
                .expirationTime(Date.from(now.plus(lifetime)))
                .claim("roles", roles)
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                    claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
