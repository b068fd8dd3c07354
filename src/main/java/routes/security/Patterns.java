package routes.security;

import java.util.List;
import java.util.regex.Pattern;

/** Simple wildcard patterns: {@code *} matches any run of characters, everything else is literal. */
public final class Patterns {

    private Patterns() {
    }

    public static boolean matches(String pattern, String value) {
        return value != null && Pattern.matches(("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q"), value);
    }

    public static boolean matchesAny(List<String> patterns, String value) {
        return patterns != null && patterns.stream().anyMatch(p -> matches(p, value));
    }
}
