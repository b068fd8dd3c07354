package routes.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka broker and KRaft controller running inside this JVM.
 *
 * <p>All data (partition logs and the {@code __cluster_metadata} log) lives in one directory, so stopping and
 * starting again on the same directory keeps every topic, record and committed offset. The storage is formatted only
 * the first time; later starts reuse the cluster id that the formatter wrote into {@code meta.properties}.
 *
 * <p>The directory is locked for as long as the server runs, so a second broker (in this or another JVM) fails
 * before touching the data.
 *
 * <p>Both listeners bind to 127.0.0.1 only. A port of 0 means "pick a free one"; the controller is configured as a
 * static voter, so a restart may use different ports than the previous run.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Default number of partitions for auto-created topics. */
    public static final int DEFAULT_PARTITIONS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Attempts when we picked the ports ourselves and another process grabbed one before Kafka bound it. */
    private static final int BIND_ATTEMPTS = 3;

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final String clusterId;
    private final Duration startupDuration;
    private final KafkaRaftServer server;
    private final DirectoryLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(Path dataDir, int brokerPort, int controllerPort, String clusterId,
                          Duration startupDuration, KafkaRaftServer server, DirectoryLock lock) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.startupDuration = startupDuration;
        this.server = server;
        this.lock = lock;
    }

    /**
     * Formats {@code dataDir} if needed and starts the broker and controller; returns once the broker accepts clients.
     *
     * @param dataDir        directory for partition logs and cluster metadata; created if missing
     * @param brokerPort     client port, 0 for a free one
     * @param controllerPort KRaft controller port, 0 for a free one
     * @param partitions     {@code num.partitions} for auto-created topics
     * @return the running server
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort, int controllerPort, int partitions) {
        return start(dataDir, brokerPort, controllerPort, partitions, 0);
    }

    /**
     * Like {@link #start(Path, int, int, int)}, advertising {@code advertisedPort} to clients instead of the port the
     * broker listens on: clients then connect there, e.g. to a TCP proxy in front of the broker. 0 advertises the
     * broker's own port.
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort, int controllerPort, int partitions,
            int advertisedPort) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        long begin = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        DirectoryLock lock = DirectoryLock.acquire(dir, "Kafka");
        try {
            String clusterId = formatIfNeeded(dir);
            RuntimeException lastBindFailure = null;
            for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
                int broker = brokerPort != 0 ? brokerPort : FreePorts.pick(HOST);
                int controller = controllerPort != 0 ? controllerPort : FreePorts.pick(HOST, broker);
                var server = new KafkaRaftServer(config(dir, broker, controller, partitions, advertisedPort != 0 ? advertisedPort : broker), Time.SYSTEM);
                try {
                    server.startup();
                    Duration took = Duration.ofNanos(System.nanoTime() - begin);
                    return new EmbeddedKafka(dir, broker, controller, clusterId, took, server, lock);
                } catch (RuntimeException e) {
                    shutdownQuietly(server);
                    boolean pickedAPort = brokerPort == 0 || controllerPort == 0;
                    if (!pickedAPort || !causedByBind(e)) {
                        throw e;
                    }
                    // Another process took a port between our probe and Kafka's bind: probe again.
                    LOG.debug("Port race on attempt {} starting embedded Kafka, retrying", attempt, e);
                    lastBindFailure = e;
                }
            }
            throw lastBindFailure;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** @return {@code 127.0.0.1:<brokerPort>}, the value for {@code bootstrap.servers} */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** @return the port clients connect to */
    public int brokerPort() {
        return brokerPort;
    }

    /** @return the port of the KRaft controller listener */
    public int controllerPort() {
        return controllerPort;
    }

    /** @return the cluster id stored in {@code meta.properties} */
    public String clusterId() {
        return clusterId;
    }

    /** @return the absolute data directory */
    public Path dataDir() {
        return dataDir;
    }

    /** @return how long formatting (if any) and startup took */
    public Duration startupDuration() {
        return startupDuration;
    }

    /** Shuts the broker and controller down and waits until they have stopped. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            long begin = System.nanoTime();
            try {
                server.shutdown();
                server.awaitShutdown();
            } finally {
                lock.close();
            }
            LOG.debug("Embedded Kafka on {} stopped in {} ms", bootstrapServers(),
                    Duration.ofNanos(System.nanoTime() - begin).toMillis());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", controller port " + controllerPort
                + ", cluster " + clusterId + ", data " + dataDir + "]";
    }

    /**
     * Writes {@code meta.properties} and the bootstrap metadata checkpoint unless a previous run already did.
     *
     * @return the cluster id on disk
     */
    private static String formatIfNeeded(Path dir) {
        try {
            Files.createDirectories(dir);
            var existing = readClusterId(dir);
            if (existing != null) {
                return existing;
            }
            String clusterId = Uuid.randomUuid().toString();
            // The formatter reports progress on a PrintStream; keep it out of stdout and hand it to the log.
            var output = new ByteArrayOutputStream();
            new Formatter()
                    .setPrintStream(new PrintStream(output, true, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dir.toString())
                    .addDirectory(dir.toString())
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
            LOG.debug("Formatted KRaft storage: {}", output.toString(StandardCharsets.UTF_8).trim());
            return clusterId;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Kafka data directory " + dir, e);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka data directory " + dir, e);
        }
    }

    /** @return the cluster id from {@code meta.properties}, or null when the directory is not formatted yet */
    private static String readClusterId(Path dir) throws IOException {
        var ensemble = new MetaPropertiesEnsemble.Loader().addLogDirs(List.of(dir.toString())).load();
        if (!ensemble.errorLogDirs().isEmpty()) {
            throw new IOException("Unreadable meta.properties in " + dir);
        }
        return ensemble.clusterId().orElse(null);
    }

    private static KafkaConfig config(Path dir, int brokerPort, int controllerPort, int partitions,
            int advertisedPort) {
        var props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        // A static voter set (kraft.version 0) keeps no controller endpoint in the metadata log,
        // which is what lets a restart use a different controller port.
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + advertisedPort);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", dir.toString());
        props.put("num.partitions", String.valueOf(partitions));
        // One node: internal topics can only have one replica, which idempotent/transactional
        // producers and consumer groups need to be told explicitly.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // Nobody else will join the group: do not hold the first rebalance back.
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "true");
        // After a crash the restarted controller keeps the old broker registration alive for one session timeout
        // and rejects the new one as a duplicate until then (9 s by default, ~13 s with retry backoff). Broker and
        // controller share this JVM, so a short session costs nothing but in-process heartbeats.
        props.put("broker.heartbeat.interval.ms", "500");
        // 6 s: a starved CPU expired the broker's own session at 3 s, while 9 s slows every crash restart
        props.put("broker.session.timeout.ms", "6000");
        // The log cleaner preallocates this on the heap (128 MiB by default); compacting the
        // internal topics of one small node needs a fraction of it.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return new KafkaConfig(props, false);
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && message.contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.debug("Ignoring failure while cleaning up a Kafka server that did not start", e);
        }
    }
}
