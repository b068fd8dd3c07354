package routes.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class EmbeddedRedisTest {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisTest.class);

    @TempDir
    Path dataDir;

    @Test
    void keysSurviveARestartOnAnotherPort() {
        int firstPort;
        try (var redis = EmbeddedRedis.start(dataDir, 0)) {
            LOG.info("Redis first start took {} ms", redis.startupDuration().toMillis());
            firstPort = redis.port();
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            withRedis(redis, commands -> assertThat(commands.set("conversation:1", "hello")).isEqualTo("OK"));
        }

        int otherPort = FreePorts.pick("127.0.0.1", firstPort);
        try (var redis = EmbeddedRedis.start(dataDir, otherPort)) {
            LOG.info("Redis restart took {} ms", redis.startupDuration().toMillis());
            assertThat(redis.port()).isEqualTo(otherPort);
            withRedis(redis, commands -> assertThat(commands.get("conversation:1")).isEqualTo("hello"));
        }
    }

    @Test
    void keepsBinaryConfigAndDataUnderTheDataDirectory() {
        try (var redis = EmbeddedRedis.start(dataDir, 0)) {
            withRedis(redis, commands -> {
                assertThat(commands.configGet("dir")).containsEntry("dir", dataDir.toAbsolutePath().toString());
                assertThat(commands.configGet("appendonly")).containsEntry("appendonly", "yes");
                assertThat(commands.configGet("appendfsync")).containsEntry("appendfsync", "everysec");
                assertThat(commands.configGet("bind")).containsEntry("bind", "127.0.0.1");
                assertThat(commands.configGet("save")).containsEntry("save", "");
            });
            assertThat(dataDir.resolve("bin")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("redis-server"));
            assertThat(dataDir.resolve("redis.conf")).isRegularFile();
            assertThat(dataDir.resolve("redis.pid")).isRegularFile();
        }
        assertThat(dataDir.resolve("appendonly.aof")).isRegularFile();
    }

    @Test
    void stopsARedisOrphanedByAKilledJvmInsteadOfWedging() throws Exception {
        int orphanPort;
        try (var redis = EmbeddedRedis.start(dataDir, 0)) {
            orphanPort = redis.port();
            withRedis(redis, commands -> commands.set("survivor", "yes"));
        }
        // Relaunch it the way the dead JVM had, but detached (via a shell that exits at once),
        // so its parent is no longer a JVM: exactly what a SIGKILLed JVM leaves behind.
        String binary;
        try (var binaries = Files.list(dataDir.resolve("bin"))) {
            binary = binaries.findFirst().orElseThrow().toString();
        }
        String conf = dataDir.resolve("redis.conf").toString();
        new ProcessBuilder("sh", "-c", "'" + binary + "' '" + conf + "' >/dev/null 2>&1 &")
                .start().waitFor();
        Path pidFile = dataDir.resolve("redis.pid");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(pidFile)
                && !Files.readString(pidFile, StandardCharsets.UTF_8).isBlank());
        long orphanPid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
        var orphan = ProcessHandle.of(orphanPid).orElseThrow();

        try (var redis = EmbeddedRedis.start(dataDir, 0)) {
            // The orphan may linger as a zombie until init reaps it, so judge by what it held.
            assertThat(Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim())).isNotEqualTo(orphanPid);
            assertThat(redis.port()).isNotEqualTo(orphanPort);
            assertThatThrownBy(() -> new Socket("127.0.0.1", orphanPort).close()).isInstanceOf(ConnectException.class);
            withRedis(redis, commands -> assertThat(commands.get("survivor")).isEqualTo("yes"));
        } finally {
            orphan.destroyForcibly();
        }
    }

    @Test
    void refusesADataDirectoryThatALiveRedisOfThisJvmUses() {
        try (var redis = EmbeddedRedis.start(dataDir, 0)) {
            assertThatThrownBy(() -> EmbeddedRedis.start(dataDir, 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void failsOnAnOccupiedFixedPortAndReleasesTheDirectory() throws Exception {
        try (var occupied = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> EmbeddedRedis.start(dataDir, occupied.getLocalPort()))
                    .hasStackTraceContaining("Address already in use");
        }
        try (var redis = EmbeddedRedis.start(dataDir, 0)) {
            assertThat(redis.port()).isPositive();
        }
    }

    @Test
    void stopsOnSigtermEvenWhenItsDirectoryWasDeletedFirst() throws Exception {
        var redis = EmbeddedRedis.start(dataDir, 0);
        withRedis(redis, commands -> commands.set("k", "v"));
        // what a test's temporary folder does when it is removed before the JVM's shutdown stops Redis
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(dataDir).doesNotExist();
        redis.close();
        // 0: Redis ended on the SIGTERM itself; a snapshot failing in a missing directory made it refuse to exit,
        // and close() then had to kill it (137) after waiting
        assertThat(redis.process().exitValue()).isZero();
    }

    @Test
    void closeIsIdempotent() {
        var redis = EmbeddedRedis.start(dataDir, 0);
        redis.close();
        redis.close();
    }

    private static void withRedis(EmbeddedRedis redis, Consumer<RedisCommands<String, String>> action) {
        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        try (var connection = client.connect()) {
            action.accept(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
