package routes.schedule;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;

/** Any text after {@code /remind}: parsed into a time and a text, or not understood (null), never an exception. */
class WhenFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyArgumentIsParsedOrNotUnderstood(String argument) {
        if (argument != null) {
            When.parse(argument, Instant.parse("2026-11-23T12:00:00Z"));
        }
    }
}
