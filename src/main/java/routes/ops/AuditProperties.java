package routes.ops;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the audit sink stores the events of the audit topic ({@code caravan.audit.*}): a PostgreSQL table when
 * {@code jdbc.url} is set, else a JSON-lines file.
 */
@ConfigurationProperties("caravan.audit")
public class AuditProperties {

    /** JSON-lines file the events go to while no database is configured; unset: {@code <storage>/audit.jsonl}. */
    private String file;

    /** Consumer group of the audit sink; every instance shares it, so each event is stored once. */
    private String groupId = "caravan-audit";

    /** Retries of an event that could not be stored, before the DLQ (or, database unreachable, a later try). */
    private int maxRedeliveries = 3;

    /** First delay between those retries (doubles each time). */
    private Duration redeliveryDelay = Duration.ofMillis(500);

    /** The audit database. */
    private final Jdbc jdbc = new Jdbc();

    /** The PostgreSQL database of the {@code audit_log} table ({@code caravan.audit.jdbc.*}). */
    public static class Jdbc {

        /** JDBC URL, e.g. {@code jdbc:postgresql://db:5432/caravan} (CARAVAN_AUDIT_JDBC_URL); unset: the file. */
        private String url;

        /** Database user (CARAVAN_AUDIT_JDBC_USERNAME). */
        private String username;

        /** The user's password (CARAVAN_AUDIT_JDBC_PASSWORD); never logged. */
        private String password;

        /** Connections kept open to the database. */
        private int poolSize = 2;

        /** Longest wait for a connection before the database counts as unreachable. */
        private Duration connectionTimeout = Duration.ofSeconds(5);

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getUsername() { return username; }
        public void setUsername(String username) { this.username = username; }
        public String getPassword() { return password; }
        public void setPassword(String password) { this.password = password; }
        public int getPoolSize() { return poolSize; }
        public void setPoolSize(int poolSize) { this.poolSize = poolSize; }
        public Duration getConnectionTimeout() { return connectionTimeout; }
        public void setConnectionTimeout(Duration connectionTimeout) { this.connectionTimeout = connectionTimeout; }

        /** Whether a database is configured. */
        public boolean isConfigured() {
            return url != null && !url.isBlank();
        }

        /** Names the settings without the password. */
        @Override
        public String toString() {
            return "Jdbc[url=" + url + ", username=" + username + ", password="
                    + (password == null || password.isEmpty() ? "(none)" : "****") + ", poolSize=" + poolSize
                    + ", connectionTimeout=" + connectionTimeout + "]";
        }
    }

    public String getFile() { return file; }
    public void setFile(String file) { this.file = file; }
    public String getGroupId() { return groupId; }
    public void setGroupId(String groupId) { this.groupId = groupId; }
    public int getMaxRedeliveries() { return maxRedeliveries; }
    public void setMaxRedeliveries(int maxRedeliveries) { this.maxRedeliveries = maxRedeliveries; }
    public Duration getRedeliveryDelay() { return redeliveryDelay; }
    public void setRedeliveryDelay(Duration redeliveryDelay) { this.redeliveryDelay = redeliveryDelay; }
    public Jdbc getJdbc() { return jdbc; }

    @Override
    public String toString() {
        return "AuditProperties[file=" + file + ", groupId=" + groupId + ", maxRedeliveries=" + maxRedeliveries
                + ", redeliveryDelay=" + redeliveryDelay + ", jdbc=" + jdbc + "]";
    }
}
