package routes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the launcher's main method sets before Spring starts. */
class CaravanApplicationTest {

    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(CaravanApplication.HTTP_CLIENT_BUFSIZE);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(CaravanApplication.HTTP_CLIENT_BUFSIZE);
        } else {
            System.setProperty(CaravanApplication.HTTP_CLIENT_BUFSIZE, before);
        }
    }

    @Test
    void theHttpClientReadsIntoFourKibibyteBuffersByDefault() {
        System.clearProperty(CaravanApplication.HTTP_CLIENT_BUFSIZE);

        CaravanApplication.smallHttpClientBuffers();

        assertThat(System.getProperty(CaravanApplication.HTTP_CLIENT_BUFSIZE)).isEqualTo("4096");
    }

    @Test
    void aBufferSizeFromTheCommandLineWins() {
        System.setProperty(CaravanApplication.HTTP_CLIENT_BUFSIZE, "65536");

        CaravanApplication.smallHttpClientBuffers();

        assertThat(System.getProperty(CaravanApplication.HTTP_CLIENT_BUFSIZE)).isEqualTo("65536");
    }
}
