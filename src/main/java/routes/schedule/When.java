package routes.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "when" of {@code /remind <when> <text>}: {@code 10m}, {@code in 2h}, {@code 1d}, {@code 90s} (from now),
 * {@code 18:30} (next time of day, UTC), {@code 2026-12-24T09:00} or {@code 2026-12-24T09:00:00Z} (UTC).
 */
public final class When {

    private static final Pattern RELATIVE = Pattern.compile("(?i)(?:in\\s+)?(\\d{1,6})\\s*(s|sec|m|min|h|d)");
    private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})");

    /** The parsed time and the rest of the text. */
    public record Parsed(Instant at, String text) {
    }

    private When() {
    }

    /** Parses the beginning of {@code input}; null when it does not start with a time. */
    public static Parsed parse(String input, Instant now) {
        String s = input.trim();
        Matcher m = RELATIVE.matcher(s);
        if (m.lookingAt()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "s", "sec" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return new Parsed(now.plus(d), s.substring(m.end()).trim());
        }
        Matcher t = TIME.matcher(s);
        if (t.lookingAt() && (s.length() == t.end() || Character.isWhitespace(s.charAt(t.end())))) {
            int hour = Integer.parseInt(t.group(1));
            int minute = Integer.parseInt(t.group(2));
            if (hour > 23 || minute > 59) {
                return null;
            }
            LocalDateTime today = LocalDate.ofInstant(now, ZoneOffset.UTC).atTime(LocalTime.of(hour, minute));
            Instant at = today.toInstant(ZoneOffset.UTC);
            if (!at.isAfter(now)) {
                at = at.plus(Duration.ofDays(1));
            }
            return new Parsed(at, s.substring(t.end()).trim());
        }
        String first = s.split("\\s+", 2)[0];
        String rest = s.length() > first.length() ? s.substring(first.length()).trim() : "";
        try {
            return new Parsed(Instant.parse(first), rest);
        } catch (DateTimeParseException e) {
            try {
                return new Parsed(LocalDateTime.parse(first).toInstant(ZoneOffset.UTC), rest);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
