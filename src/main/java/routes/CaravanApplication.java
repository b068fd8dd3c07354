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
        SpringApplication.run(CaravanApplication.class, Cli.gatewayArgs(args));
    }
}
