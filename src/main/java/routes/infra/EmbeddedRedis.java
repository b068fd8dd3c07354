package routes.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * A Redis server (the 6.2 binary shipped in {@code com.github.codemonstur:embedded-redis}) run as a child process.
 *
 * <p>Everything lives under one data directory: the extracted binary in {@code bin/}, the generated
 * {@code redis.conf}, the pid file, and the append-only file. Persistence is that file ({@code appendonly yes},
 * {@code appendfsync everysec}, no snapshots), so a restart on the same directory keeps the keys.
 *
 * <p>The directory is locked while the server runs. A Redis child survives a JVM that is killed with SIGKILL; once we
 * hold the lock, such an orphan (recognised through the pid file and the binary path) is asked to shut down, which
 * flushes its data, before a new server starts. So it can neither wedge startup nor write the same AOF concurrently.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);
    private static final String HOST = "127.0.0.1";
    private static final String PID_FILE = "redis.pid";
    private static final Duration ORPHAN_SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);
    /** Attempts when we picked the port ourselves and another process grabbed it before Redis bound it. */
    private static final int BIND_ATTEMPTS = 3;

    private final Path dataDir;
    private final int port;
    private final Duration startupDuration;
    private final Process server;
    private final DirectoryLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedRedis(Path dataDir, int port, Duration startupDuration, Process server, DirectoryLock lock) {
        this.dataDir = dataDir;
        this.port = port;
        this.startupDuration = startupDuration;
        this.server = server;
        this.lock = lock;
    }

    /**
     * Starts Redis on 127.0.0.1 with its data in {@code dataDir}; returns once it accepts connections.
     *
     * @param dataDir directory for the binary, configuration and data; created if missing
     * @param port    port to listen on, 0 for a free one
     * @return the running server
     */
    public static EmbeddedRedis start(Path dataDir, int port) {
        long begin = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        Path binDir = dir.resolve("bin");
        DirectoryLock lock = DirectoryLock.acquire(dir, "Redis");
        try {
            Files.createDirectories(binDir);
            // We hold the lock, so no live JVM owns a Redis still running on this directory.
            stopOrphan(dir, binDir);
            // Extract under the data dir rather than a fresh redis-* folder in java.io.tmpdir per start.
            String executable = ExecutableProvider.newJarResourceProvider(binDir.toFile()).get().getAbsolutePath();
            IOException lastBindFailure = null;
            for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
                int chosen = port != 0 ? port : FreePorts.pick(HOST);
                Path conf = writeConfig(dir, chosen);
                // Launched by us, not by the library: its own JVM shutdown hook would stop Redis while Spring is
                // still finishing in-flight work. Our registry stops it after the application contexts closed.
                try {
                    Process server = launch(executable, conf, dir, chosen);
                    Duration took = Duration.ofNanos(System.nanoTime() - begin);
                    return new EmbeddedRedis(dir, chosen, took, server, lock);
                } catch (IOException e) {
                    if (port != 0 || !causedByBind(e)) {
                        throw e;
                    }
                    LOG.debug("Port race on attempt {} starting embedded Redis, retrying", attempt, e);
                    lastBindFailure = e;
                }
            }
            throw lastBindFailure;
        } catch (IOException e) {
            lock.close();
            throw new UncheckedIOException("Cannot start embedded Redis in " + dir, e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** @return the address Redis listens on */
    public String host() {
        return HOST;
    }

    /** @return the port Redis listens on */
    public int port() {
        return port;
    }

    /** @return the absolute data directory */
    public Path dataDir() {
        return dataDir;
    }

    /** @return how long extraction and startup took */
    public Duration startupDuration() {
        return startupDuration;
    }

    /** Stops Redis with SIGTERM, which makes it flush the AOF and save before exiting, and waits for it. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.destroy(); // SIGTERM: Redis flushes its AOF and exits
            if (!server.waitFor(15, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.destroyForcibly();
        } finally {
            lock.close();
        }
    }

    /** The server process (tests look at how it ended). */
    Process process() {
        return server;
    }

    @Override
    public String toString() {
        return "EmbeddedRedis[" + HOST + ":" + port + ", data " + dataDir + "]";
    }

    private static Path writeConfig(Path dir, int port) throws IOException {
        String config = String.join("\n",
                "bind " + HOST,
                "port " + port,
                "daemonize no",
                "dir " + quote(dir.toString()),
                "pidfile " + quote(dir.resolve(PID_FILE).toString()),
                "appendonly yes",
                "appendfsync everysec",
                // The append-only file is what Redis loads at start; a snapshot besides it is never read. Without
                // save points, a stop writes no snapshot, and a Redis whose directory is gone (a test's temporary
                // folder removed first) still exits on SIGTERM instead of refusing because the snapshot failed.
                "save \"\"",
                "");
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        return conf;
    }

    /** Redis config values are split on spaces unless double-quoted; inside quotes, backslash escapes. */
    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Shuts down a Redis left running from this data directory by a JVM that no longer exists. */
    private static void stopOrphan(Path dir, Path binDir) throws IOException {
        Optional<ProcessHandle> running = runningRedis(dir, binDir);
        if (running.isEmpty()) {
            return;
        }
        ProcessHandle redis = running.get();
        LOG.warn("Stopping Redis pid {} left running on {} by a JVM that has exited", redis.pid(), dir);
        redis.destroy();
        if (!awaitExit(redis, ORPHAN_SHUTDOWN_TIMEOUT)) {
            LOG.warn("Redis pid {} ignored SIGTERM for {}; killing it", redis.pid(), ORPHAN_SHUTDOWN_TIMEOUT);
            redis.destroyForcibly();
            if (!awaitExit(redis, ORPHAN_SHUTDOWN_TIMEOUT)) {
                throw new IOException("Orphaned Redis pid " + redis.pid() + " does not die");
            }
        }
    }

    /**
     * Waits until a process that is not our child has exited. An orphan is reaped by init, which some containers'
     * init does only every few seconds; a zombie has already closed its files and sockets, so it counts as exited.
     */
    private static boolean awaitExit(ProcessHandle process, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                process.onExit().get(100, TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                if (isZombie(process.pid())) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while waiting for Redis pid " + process.pid(), e);
            } catch (ExecutionException e) {
                throw new IOException("Cannot wait for Redis pid " + process.pid(), e);
            }
        }
        return false;
    }

    /** Linux only (reads /proc); elsewhere we just wait for the process handle to complete. */
    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.UTF_8);
            // Format: "pid (comm) S ...": the state follows the last ')' since comm may contain spaces.
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** @return the process named in the pid file, if it is still a Redis started from {@code binDir} */
    private static Optional<ProcessHandle> runningRedis(Path dir, Path binDir) throws IOException {
        Path pidFile = dir.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        // Pids get reused: only a process running our extracted binary counts.
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.startsWith(binDir.toString())).orElse(false));
    }

    /** Starts redis-server on {@code conf} and returns once it accepts connections on {@code port}. */
    private static Process launch(String executable, Path conf, Path dir, int port) throws IOException {
        Path log = dir.resolve("redis.log");
        Process process = new ProcessBuilder(executable, conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = tail(log);
                throw new IOException("redis-server exited with " + process.exitValue() + ": " + tail);
            }
            // ready means this Redis answers PING: something else may hold the port while ours fails to bind
            try (var socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(HOST, port), 200);
                socket.setSoTimeout(300);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = socket.getInputStream().readNBytes(5);
                if (process.isAlive() && "+PONG".equals(new String(answer, StandardCharsets.US_ASCII))) {
                    return process;
                }
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted while starting Redis", e);
            } catch (IOException notYet) {
                try {
                    process.waitFor(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                    throw new IOException("interrupted while starting Redis", e);
                }
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not accept connections on port " + port + " within 20 s");
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }
}
