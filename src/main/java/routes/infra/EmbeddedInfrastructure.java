package routes.infra;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.FileSystemUtils;

/**
 * JVM-wide registry of the embedded Kafka broker and Redis server, one pair per storage path.
 *
 * <p>Several Spring contexts in one JVM (as in a test run) call {@link #ensureStarted} with the same storage path and
 * share one broker and one Redis. A JVM shutdown hook stops whatever is still running, after closing the registered
 * {@linkplain #closeBeforeStopping dependents}.
 */
public final class EmbeddedInfrastructure {

    /**
     * Where clients reach the embedded servers.
     *
     * @param kafkaBootstrapServers {@code host:port} for Kafka clients
     * @param redisHost             Redis host
     * @param redisPort             Redis port
     */
    public record Endpoints(String kafkaBootstrapServers, String redisHost, int redisPort) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedInfrastructure.class);

    private static final Map<Path, Servers> RUNNING = new LinkedHashMap<>();
    /** Weak, so contexts that were closed and dropped (as tests do by the dozen) are not kept alive here. */
    private static final Set<AutoCloseable> DEPENDENTS = Collections.newSetFromMap(new WeakHashMap<>());
    /** Storage paths whose directory goes once their servers have stopped (see {@link #deleteAfterStopping}). */
    private static final Set<Path> THROWAWAY = new LinkedHashSet<>();
    private static boolean shutdownHookAdded;

    private EmbeddedInfrastructure() {
    }

    /**
     * Starts Kafka in {@code <storagePath>/kafka} and Redis in {@code <storagePath>/redis} unless this JVM already
     * runs them for that path, in which case the running ones are returned and the other arguments are ignored.
     *
     * @param storagePath root of the persistent data
     * @param kafkaPort   Kafka client port, 0 for a free one (the controller port is always picked freely)
     * @param redisPort   Redis port, 0 for a free one
     * @param partitions  {@code num.partitions} for auto-created topics
     * @return where to connect
     */
    public static synchronized Endpoints ensureStarted(Path storagePath, int kafkaPort, int redisPort, int partitions) {
        return ensureStarted(storagePath, kafkaPort, redisPort, partitions, LOG::info);
    }

    /**
     * Like {@link #ensureStarted(Path, int, int, int)}, reporting each server it actually starts.
     *
     * @param started receives one line per server started by this call (nothing when they were already running)
     * @return where to connect
     */
    public static synchronized Endpoints ensureStarted(Path storagePath, int kafkaPort, int redisPort, int partitions,
                                                       Consumer<String> started) {
        Path key = storagePath.toAbsolutePath().normalize();
        Servers servers = RUNNING.get(key);
        if (servers == null) {
            addShutdownHookOnce();
            servers = Servers.start(key, kafkaPort, redisPort, partitions, started);
            RUNNING.put(key, servers);
        }
        return servers.endpoints();
    }

    /**
     * @param storagePath a storage path given to {@link #ensureStarted}
     * @return the endpoints of the servers running for it, if any
     */
    public static synchronized Optional<Endpoints> running(Path storagePath) {
        return Optional.ofNullable(RUNNING.get(storagePath.toAbsolutePath().normalize())).map(Servers::endpoints);
    }

    /**
     * Stops the servers of one storage path, e.g. before a test deletes its directory, then deletes the directory if
     * it was marked {@linkplain #deleteAfterStopping throwaway}. No-op if none run and it is not marked.
     *
     * @param storagePath a storage path given to {@link #ensureStarted}
     */
    public static synchronized void stop(Path storagePath) {
        Path key = storagePath.toAbsolutePath().normalize();
        Servers servers = RUNNING.remove(key);
        if (servers != null) {
            servers.close();
        }
        if (THROWAWAY.remove(key)) {
            delete(key);
        }
    }

    /**
     * Marks a storage path as throwaway: its whole directory is deleted once its servers have stopped, by
     * {@link #stop} or by the shutdown hook (which deletes it even if no server ever ran for it). For a test run's
     * temporary storage; the gateway's own storage is never marked.
     *
     * @param storagePath a storage path, typically a fresh temporary directory
     */
    public static synchronized void deleteAfterStopping(Path storagePath) {
        addShutdownHookOnce();
        THROWAWAY.add(storagePath.toAbsolutePath().normalize());
    }

    private static void delete(Path directory) {
        try {
            FileSystemUtils.deleteRecursively(directory);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", directory, e.toString());
        }
    }

    /** Stops every server this registry started. */
    public static synchronized void stopAll() {
        List<Path> paths = new ArrayList<>(RUNNING.keySet());
        paths.forEach(EmbeddedInfrastructure::stop);
    }

    /**
     * Registers something that uses the servers, typically a Spring application context, for the shutdown hook to
     * close before it stops them.
     *
     * <p>JVM shutdown hooks run concurrently, so Spring's own hook would otherwise race ours: routes still committing
     * offsets or writing state would find the brokers gone. Closing an already closed (or closing) context is a no-op
     * that waits for the other close to finish, so this is safe alongside Spring's hook.
     *
     * @param dependent closed by the shutdown hook before the servers stop
     */
    public static synchronized void closeBeforeStopping(AutoCloseable dependent) {
        DEPENDENTS.add(dependent);
    }

    /** What the JVM shutdown hook runs: close the dependents, then stop the servers. */
    static void shutdown() {
        List<AutoCloseable> dependents;
        List<Path> paths;
        synchronized (EmbeddedInfrastructure.class) {
            dependents = new ArrayList<>(DEPENDENTS);
            DEPENDENTS.clear();
            paths = new ArrayList<>(RUNNING.keySet());
            paths.addAll(THROWAWAY);
        }
        shutdown(dependents, paths);
    }

    /** Closes {@code dependents}, then stops the servers of {@code storagePaths}: the shutdown order, for some. */
    static void shutdown(List<AutoCloseable> dependents, List<Path> storagePaths) {
        synchronized (EmbeddedInfrastructure.class) {
            DEPENDENTS.removeAll(dependents);
        }
        // Outside the lock: closing a context may take a while and must not block other callers.
        for (AutoCloseable dependent : dependents) {
            try {
                dependent.close();
            } catch (Exception e) {
                LOG.warn("Could not close {} before stopping the embedded servers", dependent, e);
            }
        }
        storagePaths.forEach(EmbeddedInfrastructure::stop);
    }

    /** Whether {@code dependent} will be closed by the shutdown hook. */
    static synchronized boolean willClose(AutoCloseable dependent) {
        return DEPENDENTS.contains(dependent);
    }

    private static void addShutdownHookOnce() {
        if (!shutdownHookAdded) {
            Runtime.getRuntime().addShutdownHook(
                    new Thread(EmbeddedInfrastructure::shutdown, "caravan-embedded-infrastructure-shutdown"));
            shutdownHookAdded = true;
        }
    }

    /** The pair of servers for one storage path. */
    private record Servers(EmbeddedKafka kafka, EmbeddedRedis redis) {

        static Servers start(Path storage, int kafkaPort, int redisPort, int partitions, Consumer<String> started) {
            // Kafka first: it is the one likely to fail (locked directory, port, disk), and then no Redis was started.
            EmbeddedKafka kafka = EmbeddedKafka.start(storage.resolve("kafka"), kafkaPort, 0, partitions);
            started.accept("Embedded Kafka (KRaft, single node) started on " + kafka.bootstrapServers()
                    + " in " + kafka.startupDuration().toMillis() + " ms, data " + kafka.dataDir());
            try {
                EmbeddedRedis redis = EmbeddedRedis.start(storage.resolve("redis"), redisPort);
                started.accept("Embedded Redis started on " + redis.host() + ":" + redis.port()
                        + " in " + redis.startupDuration().toMillis() + " ms, data " + redis.dataDir());
                return new Servers(kafka, redis);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
        }

        Endpoints endpoints() {
            return new Endpoints(kafka.bootstrapServers(), redis.host(), redis.port());
        }

        /** Redis first: it stops in milliseconds, Kafka takes longer; neither needs the other. */
        void close() {
            try {
                redis.close();
            } catch (RuntimeException e) {
                LOG.warn("Embedded Redis did not stop cleanly", e);
            }
            try {
                kafka.close();
            } catch (RuntimeException e) {
                LOG.warn("Embedded Kafka did not stop cleanly", e);
            }
        }
    }
}
