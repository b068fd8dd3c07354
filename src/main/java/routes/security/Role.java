package routes.security;

import java.util.Locale;
import java.util.Optional;

/**
 * Caravan's roles, each including the ones below it: {@code admin} may do everything, {@code dev} works on routes,
 * tools and models but sees no user data, {@code user} may only chat.
 */
public enum Role {
    USER, DEV, ADMIN;

    /** Spring Security authority of the role. */
    public String authority() {
        return "ROLE_" + name();
    }

    /** Whether holding this role grants {@code other}. */
    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    /** Lower-case name, as written in configuration and claims. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role called {@code name} (any case), if it is one of Caravan's. */
    public static Optional<Role> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
