package routes.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class CurrentTimeToolTest {

    private final CurrentTimeTool tool = new CurrentTimeTool(
            Clock.fixed(Instant.parse("2024-03-01T12:00:00.250Z"), ZoneId.of("UTC")));

    @Test
    void givesTheTimeInTheAskedZone() {
        assertThat(tool.run(ToolInput.parse("{\"timeZone\":\"Europe/Berlin\"}"))).isEqualTo("""
                date-time: 2024-03-01T13:00:00+01:00
                weekday: Friday
                time zone: Europe/Berlin (UTC+01:00)""");
    }

    @Test
    void usesTheGatewaysZoneWhenNoneIsAsked() {
        assertThat(tool.run(ToolInput.parse("{}"))).isEqualTo("""
                date-time: 2024-03-01T12:00:00Z
                weekday: Friday
                time zone: UTC""");
    }

    @Test
    void anUnknownZoneGivesAClearError() {
        assertThat(tool.run(ToolInput.parse("{\"timeZone\":\"Mars/Olympus_Mons\"}")))
                .isEqualTo("error: unknown time zone \"Mars/Olympus_Mons\"; use an IANA time zone id such as "
                        + "Europe/Berlin or America/New_York");
        assertThat(tool.run(ToolInput.parse("{\"timeZone\":\"../../etc\"}"))).startsWith("error: unknown time zone");
    }

    @Test
    void theDefinitionHasNoSideEffects() {
        var definition = tool.definition();
        assertThat(definition.getName()).isEqualTo("current-time");
        assertThat(definition.getEndpoint()).isEqualTo("direct:tool-current-time");
        assertThat(definition.isSideEffects()).isFalse();
    }
}
