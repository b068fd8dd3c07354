package routes.tools.builtin;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import routes.tools.ToolDefinition;

/** {@code current-time}: the date, time and weekday now, in a given IANA time zone or the gateway's own. */
public class CurrentTimeTool implements BuiltInTool {

    static final String NAME = "current-time";

    private static final String SCHEMA = """
            {"type":"object",\
            "properties":{"timeZone":{"type":"string",\
            "description":"IANA time zone id, e.g. Europe/Berlin or America/New_York; \
            the gateway's zone when left out"}},\
            "additionalProperties":false}""";

    private final Clock clock;

    public CurrentTimeTool(Clock clock) {
        this.clock = clock;
    }

    @Override
    public ToolDefinition definition() {
        return new ToolDefinition(NAME, "Get the current date, time and weekday, in a given IANA time zone (e.g. "
                + "Europe/Berlin) or the gateway's own. Use it whenever the answer depends on today's date or the time "
                + "of day.", SCHEMA, null, false, false);
    }

    @Override
    public String run(ToolInput input) {
        String requested = input.optionalText("timeZone");
        ZoneId zone;
        if (requested == null || requested.isBlank()) {
            zone = clock.getZone();
        } else {
            try {
                zone = ZoneId.of(requested.strip());
            } catch (DateTimeException e) {
                return "error: unknown time zone \"" + requested.strip()
                        + "\"; use an IANA time zone id such as Europe/Berlin or America/New_York";
            }
        }
        var now = ZonedDateTime.now(clock.withZone(zone)).truncatedTo(ChronoUnit.SECONDS);
        String offset = now.getOffset().getTotalSeconds() == 0 ? "UTC" : "UTC" + now.getOffset().getId();
        return "date-time: " + now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n"
                + "weekday: " + now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + "\n"
                + "time zone: " + (zone.getId().equals(offset) || zone.getId().equals("Z") ? offset
                        : zone.getId() + " (" + offset + ")");
    }
}
