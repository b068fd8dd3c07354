package routes.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import routes.infra.EmbeddedKafka;

/**
 * An Apache Kafka broker (KRaft, single node, the same configuration Caravan embeds) in a JVM of its own, so a test
 * can kill it with SIGKILL and start it again on the same data directory and ports, as an operator's broker would
 * go away and come back.
 *
 * <p>{@link #main(String[])} is the process: it starts the broker and prints {@value #READY} once it listens.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    static final String READY = "KAFKA BROKER READY";

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final int advertisedPort;
    private final Path log;
    private Process process;

    KafkaBrokerProcess(Path dataDir, int brokerPort, int controllerPort) {
        this(dataDir, brokerPort, controllerPort, brokerPort);
    }

    /** A broker that tells clients to connect to {@code advertisedPort}, e.g. a {@link FaultProxy} in front of it. */
    KafkaBrokerProcess(Path dataDir, int brokerPort, int controllerPort, int advertisedPort) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.advertisedPort = advertisedPort;
        this.log = ChildCaravan.LOG_DIR.resolve("kafka-broker-" + brokerPort + ".log");
    }

    /**
     * The broker: {@code <data dir> <broker port> <controller port> [<advertised port>]}; runs until the process is
     * killed.
     */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), EmbeddedKafka.DEFAULT_PARTITIONS,
                args.length > 3 ? Integer.parseInt(args[3]) : 0);
        System.out.println(READY + " " + kafka.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Where clients connect: the advertised port. */
    String bootstrapServers() {
        return "127.0.0.1:" + advertisedPort;
    }

    /** Starts the broker process and waits until it listens. */
    synchronized KafkaBrokerProcess start(Duration timeout) {
        try {
            Files.createDirectories(ChildCaravan.LOG_DIR);
            Files.writeString(log, "\n===== start at " + java.time.Instant.now() + " =====\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            process = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", classpath,
                    KafkaBrokerProcess.class.getName(),
                    dataDir.toString(), Integer.toString(brokerPort), Integer.toString(controllerPort),
                    Integer.toString(advertisedPort)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker process", e);
        }
        Awaitility.await("Kafka broker ready").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the Kafka broker exited with " + process.exitValue()
                                + "; see " + log);
                    }
                    return lastStartLog().contains(READY);
                });
        return this;
    }

    /** SIGKILL: nothing flushed beyond what the broker already wrote. */
    synchronized void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the Kafka broker survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while killing the Kafka broker", e);
        }
    }

    private String lastStartLog() throws IOException {
        String all = Files.readString(log);
        return all.substring(all.lastIndexOf("===== start at"));
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
