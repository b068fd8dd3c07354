package routes.security;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may use Caravan's HTTP interfaces ({@code caravan.auth.*}). Without a token and without JWT validation,
 * Caravan listens on loopback only and every local caller is trusted.
 */
@ConfigurationProperties("caravan.auth")
public class AuthProperties {

    /** The gateway token (CARAVAN_AUTH_TOKEN): full access (role admin). Never logged. */
    private String token = "";

    /** More static tokens, each with its role, e.g. a user-only token for a web front end. */
    private List<NamedToken> tokens = new ArrayList<>();

    /** Validation of JWT bearer tokens from an identity provider; off while {@code jwks-uri} is empty. */
    private Jwt jwt = new Jwt();

    /**
     * Addresses allowed to call the authenticated interfaces (CIDR or single address, IPv4 or IPv6); empty = any.
     * Platform webhooks and the health endpoint are not subject to it.
     */
    private List<String> ipAllowlist = new ArrayList<>();

    public String getToken() { return token; }
    public void setToken(String token) { this.token = token == null ? "" : token.trim(); }
    public List<NamedToken> getTokens() { return tokens; }
    public void setTokens(List<NamedToken> tokens) { this.tokens = tokens; }
    public Jwt getJwt() { return jwt; }
    public void setJwt(Jwt jwt) { this.jwt = jwt; }
    public List<String> getIpAllowlist() { return ipAllowlist; }
    public void setIpAllowlist(List<String> ipAllowlist) { this.ipAllowlist = ipAllowlist; }

    /** Whether any way of authenticating callers is configured. */
    public boolean isConfigured() {
        return !token.isBlank() || tokens.stream().anyMatch(t -> !t.getToken().isBlank()) || jwt.isEnabled();
    }

    @Override
    public String toString() {
        return "AuthProperties{token=" + (token.isBlank() ? "none" : "****") + ", tokens=" + tokens.size()
                + ", jwt=" + jwt.isEnabled() + ", ipAllowlist=" + ipAllowlist + "}";
    }

    /** A static token with a name (for audit) and a role. */
    public static class NamedToken {

        /** Name shown in the audit log instead of the token. */
        private String name = "token";

        /** The token itself; never logged. */
        private String token = "";

        /** Role it grants: admin, dev or user. */
        private Role role = Role.USER;

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getToken() { return token; }
        public void setToken(String token) { this.token = token == null ? "" : token.trim(); }
        public Role getRole() { return role; }
        public void setRole(Role role) { this.role = role; }

        @Override
        public String toString() {
            return "NamedToken{name=" + name + ", role=" + role + "}";
        }
    }

    /** JWT validation settings. */
    public static class Jwt {

        /** URL of the identity provider's JSON Web Key Set; JWT validation is on when set. */
        private String jwksUri = "";

        /** Required {@code iss} claim; empty = not checked. */
        private String issuer = "";

        /** Required value in the {@code aud} claim; empty = not checked. */
        private String audience = "";

        /** Claim holding the caller's roles (a list or a space/comma separated string). */
        private String rolesClaim = "roles";

        /** Allowed clock difference when checking {@code exp} and {@code nbf}. */
        private java.time.Duration clockSkew = java.time.Duration.ofSeconds(30);

        public boolean isEnabled() { return jwksUri != null && !jwksUri.isBlank(); }
        public String getJwksUri() { return jwksUri; }
        public void setJwksUri(String jwksUri) { this.jwksUri = jwksUri; }
        public String getIssuer() { return issuer; }
        public void setIssuer(String issuer) { this.issuer = issuer; }
        public String getAudience() { return audience; }
        public void setAudience(String audience) { this.audience = audience; }
        public String getRolesClaim() { return rolesClaim; }
        public void setRolesClaim(String rolesClaim) { this.rolesClaim = rolesClaim; }
        public java.time.Duration getClockSkew() { return clockSkew; }
        public void setClockSkew(java.time.Duration clockSkew) { this.clockSkew = clockSkew; }
    }
}
