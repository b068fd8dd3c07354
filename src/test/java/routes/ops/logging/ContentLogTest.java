package routes.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentLogTest {

    @Test
    void textIsShownOnlyWhenSwitchedOn() {
        LoggingProperties properties = new LoggingProperties();
        ContentLog log = new ContentLog(properties);
        assertThat(log.describe("hello there")).isEqualTo("11 characters");
        assertThat(log.describe(null)).isEqualTo("(no text)");

        properties.setIncludeText(true);
        assertThat(log.describe("hello there")).isEqualTo("11 characters: hello there");
    }
}
