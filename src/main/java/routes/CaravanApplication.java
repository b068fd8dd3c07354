package routes;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import routes.cli.Cli;

/**
 * Caravan: a multi-channel AI assistant gateway on Apache Camel and Spring Boot. Caravan has no database unless the
 * audit database is configured ({@link routes.ops.AuditDatabase} makes its own data source and runs its own
 * migrations then), so Spring Boot's DataSource and Flyway auto-configuration stay off.
 */
@SpringBootApplication(exclude = {UserDetailsServiceAutoConfiguration.class, DataSourceAutoConfiguration.class,
    FlywayAutoConfiguration.class})
@ConfigurationPropertiesScan
@org.springframework.scheduling.annotation.EnableScheduling
public class CaravanApplication {

    /**
     * Starts the gateway; with {@code onboard} or {@code doctor} first, runs that command instead, without starting
     * Spring, Kafka, Redis or the server.
     */
    public static void main(String[] args) {
        if (Cli.handles(args)) {
            System.exit(Cli.run(args));
        }
        smallHttpClientBuffers();
        SpringApplication.run(CaravanApplication.class, Cli.gatewayArgs(args));
    }

    /**
     * The JDK HTTP client reads each plain connection into a heap buffer of {@code jdk.httpclient.bufsize} bytes
     * (16 KiB by default) that the connection keeps until it is full. A model stream brings a few hundred bytes per
     * token, and thousands of streams are open at once: at 16 KiB those half-filled buffers were tens of megabytes
     * that outlived every young collection. 4 KiB still takes a streamed event in one read. Set before the client's
     * classes load; a {@code -Djdk.httpclient.bufsize} given on the command line wins.
     */
    static void smallHttpClientBuffers() {
        if (System.getProperty(HTTP_CLIENT_BUFSIZE) == null) {
            System.setProperty(HTTP_CLIENT_BUFSIZE, "4096");
        }
    }

    static final String HTTP_CLIENT_BUFSIZE = "jdk.httpclient.bufsize";
}
