package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The audit database exists only for a non-blank {@code caravan.audit.jdbc.url}. */
class AuditDatabaseConditionTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(AuditProperties.class)
    static class Properties {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, AuditDatabase.class);

    @Test
    void noUrlMeansNoDataSourceAndNoMigration() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(DataSource.class);
            assertThat(context).doesNotHaveBean(AuditDatabase.AuditSchema.class);
        });
    }

    @Test
    void anEmptyOrBlankUrlCountsAsNotConfigured() {
        runner.withPropertyValues("caravan.audit.jdbc.url=").run(context ->
                assertThat(context).doesNotHaveBean(DataSource.class));
        runner.withPropertyValues("caravan.audit.jdbc.url=   ").run(context ->
                assertThat(context).doesNotHaveBean(DataSource.class));
    }

    @Test
    void aConfiguredUrlThatCannotBeReachedStopsTheStartWithTheReason() {
        runner.withPropertyValues("caravan.audit.jdbc.url=jdbc:postgresql://127.0.0.1:1/caravan",
                "caravan.audit.jdbc.connection-timeout=250ms").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("Connection");
                });
    }

    @Test
    void thePasswordIsNeverPrinted() {
        AuditProperties properties = new AuditProperties();
        properties.getJdbc().setUrl("jdbc:postgresql://db/caravan");
        properties.getJdbc().setPassword("s3cret-pw");
        assertThat(properties.toString()).contains("jdbc:postgresql://db/caravan", "****")
                .doesNotContain("s3cret-pw");
    }
}
