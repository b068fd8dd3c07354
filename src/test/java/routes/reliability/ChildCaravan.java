package routes.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.springframework.util.FileSystemUtils;

/**
 * A Caravan gateway run as a separate operating-system process ({@code java -cp <test classpath>
 * routes.CaravanApplication --key=value ...}), so a test can kill it with SIGKILL and start it again.
 *
 * <p>Output goes to a log file under {@code target/reliability/}; every start appends to the same file behind a
 * marker line, so one file tells the whole story of an instance. {@link #close()} kills the process and everything
 * it started (the embedded Redis runs as a grandchild process and outlives a SIGKILLed parent).
 */
final class ChildCaravan implements AutoCloseable {

    /** Where the child processes' logs go (relative to the Maven base directory, which is the test's cwd). */
    static final Path LOG_DIR = Path.of("target", "reliability").toAbsolutePath();

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final String name;
    private final Path workDir;
    private final Path log;
    private final int httpPort;
    private final Map<String, String> properties;
    private Process process;
    private int starts;
    /** Every process ever seen under one of our children: killed again on close, in case it was orphaned. */
    private final Set<ProcessHandle> spawned = new HashSet<>();
    /** The process's descendants at the moment of the last {@link #kill()}. */
    private List<ProcessHandle> descendantsAtKill = List.of();

    /**
     * @param name       short name, used for the log file, e.g. {@code crash-a}
     * @param workDir    working directory of the process (also where a relative {@code ./caravan.yaml} would be)
     * @param httpPort   value of {@code caravan.http.port}
     * @param properties further {@code --key=value} arguments
     */
    ChildCaravan(String name, Path workDir, int httpPort, Map<String, String> properties) {
        this.name = name;
        this.workDir = workDir;
        this.httpPort = httpPort;
        this.properties = new LinkedHashMap<>(properties);
        this.log = LOG_DIR.resolve(name + ".log");
    }

    /** Starts the process (again, after {@link #kill()}); returns at once, see {@link #awaitReady(Duration)}. */
    synchronized ChildCaravan start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        try {
            Files.createDirectories(LOG_DIR);
            Files.createDirectories(workDir);
            if (starts == 0) {
                Files.deleteIfExists(log);
            }
            starts++;
            Files.writeString(log, "\n===== " + name + " start #" + starts + " at " + java.time.Instant.now()
                            + " =====\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // small heap and C1 only: two of these share a 2-core machine with the test JVM and Kafka
            command.addAll(List.of("-Xms64m", "-Xmx640m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dfile.encoding=UTF-8"));
            command.add("-cp");
            command.add(routes.support.ProductClasspath.withoutTestClasses());
            command.add("routes.CaravanApplication");
            command.add("--caravan.http.port=" + httpPort);
            properties.forEach((k, v) -> command.add("--" + k + "=" + v));
            process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until {@code /actuator/health} answers UP; fails early, with the log's tail, if the process dies. */
    ChildCaravan awaitReady(Duration timeout) {
        try {
            Awaitility.await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(name + " exited with " + process.exitValue()
                                    + " during start-up; log tail:\n" + logTail(60));
                        }
                        return healthUp();
                    });
            return this;
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name + " not ready within " + timeout + "; log tail:\n" + logTail(80), e);
        }
    }

    /** Waits until {@code /actuator/health} says UP (or anything else, for {@code up = false}); millis waited. */
    long awaitHealth(boolean up, Duration timeout) {
        long begin = System.nanoTime();
        Awaitility.await(name + (up ? " healthy" : " unhealthy")).atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> healthUp() == up);
        return (System.nanoTime() - begin) / 1_000_000;
    }

    /** Whether {@code /actuator/health} answers UP now. */
    boolean healthUp() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/actuator/health"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"status\":\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Kills the process with SIGKILL ({@link Process#destroyForcibly()} on Linux: no shutdown hooks run, nothing is
     * flushed or committed) and waits for it to be gone.
     *
     * @return the exit value, {@code 128 + 9 = 137} for SIGKILL
     */
    synchronized int kill() {
        rememberDescendants();
        descendantsAtKill = process.descendants().toList();
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while killing " + name, e);
        }
        return process.exitValue();
    }

    /** The pids of the process and its descendants right now, remembered for {@link #close()}. */
    private void rememberDescendants() {
        if (process != null) {
            process.descendants().forEach(spawned::add);
        }
    }

    /**
     * Processes the last {@link #kill()} left behind: descendants of the killed process that still run (a zombie,
     * dead but not yet reaped by init, does not count).
     */
    synchronized List<ProcessHandle> survivorsOfLastKill() {
        return descendantsAtKill.stream().filter(ChildCaravan::running).toList();
    }

    /** Alive and not a zombie (Linux: state in /proc/<pid>/stat). */
    static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"), StandardCharsets.UTF_8);
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return p.isAlive();
        }
    }

    /** A process and its command line, for messages. */
    static String describe(ProcessHandle p) {
        return p.pid() + " " + p.info().commandLine().orElse(p.info().command().orElse("?"));
    }

    int httpPort() {
        return httpPort;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    Path log() {
        return log;
    }

    /** Lines of this instance's log containing {@code needle} (all starts). */
    List<String> logLines(String needle) {
        try {
            if (!Files.exists(log)) {
                return List.of();
            }
            try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
                return lines.filter(l -> l.contains(needle)).collect(Collectors.toList());
            }
        } catch (IOException | UncheckedIOException e) {
            return List.of("<cannot read " + log + ": " + e + ">");
        }
    }

    /** The last {@code n} lines of the log. */
    String logTail(int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "<cannot read " + log + ": " + e + ">";
        }
    }

    /** Kills the process and every process it started (now or in an earlier, killed run), and waits for them. */
    @Override
    public synchronized void close() {
        rememberDescendants();
        if (process != null) {
            process.destroyForcibly();
            waitQuietly(process.toHandle());
        }
        for (ProcessHandle p : spawned) {
            p.destroyForcibly();
        }
        spawned.forEach(ChildCaravan::waitQuietly);
    }

    private static void waitQuietly(ProcessHandle p) {
        try {
            p.onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            // orphans are reaped by init, which may be slow in a container; they were SIGKILLed anyway
        }
    }

    /** {@code n} distinct TCP ports that are free on 127.0.0.1 right now. */
    static int[] freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /** Closes each part in order (a failure is printed and the rest still closed), then deletes {@code root}. */
    static void closeAll(String who, Path root, AutoCloseable... parts) {
        for (AutoCloseable c : parts) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.out.println("[" + who + "] closing " + c + ": " + e);
                }
            }
        }
        deleteTree(root);
    }

    /** Deletes a directory tree, best effort (used after the processes writing into it are dead). */
    static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try {
            FileSystemUtils.deleteRecursively(root);
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return name + "[http " + httpPort + ", pid " + (process == null ? "-" : process.pid()) + "]";
    }
}
