package routes.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * An authenticated caller of the HTTP interfaces: who (a token's name, a JWT subject, or {@code local}), how, and
 * the highest role held. Its authorities are that role and every role it includes.
 */
public final class Caller extends AbstractAuthenticationToken {

    /** How the caller proved who it is. */
    public enum Method { TOKEN, JWT, LOOPBACK }

    private final String name;
    private final Method method;
    private final Role role;

    public Caller(String name, Method method, Role role) {
        super(authorities(role));
        this.name = name;
        this.method = method;
        this.role = role;
        setAuthenticated(true);
    }

    private static Collection<GrantedAuthority> authorities(Role role) {
        List<GrantedAuthority> granted = new ArrayList<>();
        for (Role r : Role.values()) {
            if (role.includes(r)) {
                granted.add(new SimpleGrantedAuthority(r.authority()));
            }
        }
        return granted;
    }

    @Override
    public String getName() { return name; }

    @Override
    public Object getCredentials() { return ""; }

    @Override
    public Object getPrincipal() { return name; }

    public Method method() { return method; }

    public Role role() { return role; }

    /** Whether the caller holds {@code needed} (directly or through a higher role). */
    public boolean holds(Role needed) {
        return role.includes(needed);
    }

    /** The caller of the current request, if it authenticated. */
    public static java.util.Optional<Caller> current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication instanceof Caller caller ? java.util.Optional.of(caller) : java.util.Optional.empty();
    }
}
