package routes.ops;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The audit database, only when {@code caravan.audit.jdbc.url} is set: a small Hikari pool and the {@code audit_log}
 * schema, migrated by Flyway at start-up (so the sink never writes into a missing table). Spring Boot's own
 * DataSource and Flyway auto-configuration stay off ({@link routes.CaravanApplication}): without this URL Caravan has
 * no database at all.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnAuditDatabase
public class AuditDatabase {

    /** The data source's bean name, as the sink's endpoint names it. */
    public static final String DATA_SOURCE = "auditDataSource";
    /** Flyway's history table: its own name, so a schema shared with another application does not mix them. */
    static final String HISTORY_TABLE = "caravan_schema_history";

    private static final Logger LOG = LoggerFactory.getLogger(AuditDatabase.class);

    @Bean(name = DATA_SOURCE, destroyMethod = "close")
    public HikariDataSource auditDataSource(AuditProperties properties) {
        AuditProperties.Jdbc jdbc = properties.getJdbc();
        HikariConfig config = new HikariConfig();
        config.setPoolName("caravan-audit");
        config.setJdbcUrl(jdbc.getUrl());
        config.setUsername(jdbc.getUsername());
        config.setPassword(jdbc.getPassword());
        config.setMaximumPoolSize(jdbc.getPoolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(jdbc.getConnectionTimeout().toMillis());
        return new HikariDataSource(config);
    }

    /** Migrates the schema before any route starts; a database that cannot be reached stops the start-up. */
    @Bean
    public AuditSchema auditSchema(@Qualifier(DATA_SOURCE) DataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table(HISTORY_TABLE)
                // a schema that already holds other tables gets ours too (baseline 0 runs every migration)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion
                : result.initialSchemaVersion;
        LOG.info("audit database schema at version {} ({} migration(s) applied)", version,
                result.migrationsExecuted);
        return new AuditSchema(version);
    }

    /**
     * The migrated schema; the sink writes to the database when this bean exists.
     *
     * @param version the schema version after migration
     */
    public record AuditSchema(String version) {
    }
}
