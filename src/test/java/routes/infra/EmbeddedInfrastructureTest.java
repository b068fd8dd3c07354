package routes.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedInfrastructureTest {

    @TempDir
    Path storage;

    @AfterEach
    void stopServers() {
        EmbeddedInfrastructure.stop(storage);
    }

    @Test
    void startsOncePerStoragePathAndReturnsTheRunningServersAfterwards() {
        List<String> started = new ArrayList<>();
        var first = EmbeddedInfrastructure.ensureStarted(storage, 0, 0, 1, started::add);
        // Other ports requested for the same path: the running servers win.
        var second = EmbeddedInfrastructure.ensureStarted(storage.resolve("../" + storage.getFileName()), 1, 1, 8,
                started::add);

        assertThat(second).isEqualTo(first);
        assertThat(started).hasSize(2);
        assertThat(EmbeddedInfrastructure.running(storage)).contains(first);
        assertThat(storage.resolve("kafka")).isDirectory();
        assertThat(storage.resolve("redis")).isDirectory();
        assertThat(reachable(first)).isTrue();
    }

    @Test
    void shutdownClosesDependentsWhileTheServersStillRun() {
        var endpoints = EmbeddedInfrastructure.ensureStarted(storage, 0, 0, 1);
        List<Boolean> redisReachableWhenClosed = new ArrayList<>();
        AutoCloseable dependent = () -> redisReachableWhenClosed.add(reachable(endpoints));
        EmbeddedInfrastructure.closeBeforeStopping(dependent);
        assertThat(EmbeddedInfrastructure.willClose(dependent)).isTrue();

        // the hook's order, limited to this test's servers: the whole-app tests of this JVM keep theirs
        EmbeddedInfrastructure.shutdown(java.util.List.of(dependent), java.util.List.of(storage));

        assertThat(EmbeddedInfrastructure.willClose(dependent)).isFalse();

        assertThat(redisReachableWhenClosed).containsExactly(true);
        assertThat(EmbeddedInfrastructure.running(storage)).isEmpty();
        assertThat(reachable(endpoints)).isFalse();
    }

    @Test
    void stopForgetsTheServersSoTheNextCallStartsThemAgain() {
        var first = EmbeddedInfrastructure.ensureStarted(storage, 0, 0, 1);
        EmbeddedInfrastructure.stop(storage);
        assertThat(EmbeddedInfrastructure.running(storage)).isEmpty();

        var again = EmbeddedInfrastructure.ensureStarted(storage, 0, 0, 1);
        assertThat(again.kafkaBootstrapServers()).isNotBlank();
        assertThat(again.redisHost()).isEqualTo(first.redisHost());
    }

    @Test
    void aThrowawayStorageIsDeletedOnceItsServersHaveStopped() throws IOException {
        Path throwaway = Files.createDirectories(storage.resolve("throwaway"));
        Files.writeString(throwaway.resolve("audit.jsonl"), "{}");
        var endpoints = EmbeddedInfrastructure.ensureStarted(throwaway, 0, 0, 1);
        EmbeddedInfrastructure.deleteAfterStopping(throwaway);
        assertThat(throwaway.resolve("kafka")).isDirectory();

        EmbeddedInfrastructure.stop(throwaway);

        assertThat(reachable(endpoints)).isFalse();
        assertThat(throwaway).doesNotExist();
        assertThat(storage).isDirectory();
    }

    @Test
    void aStorageNotMarkedThrowawayIsKept() {
        EmbeddedInfrastructure.ensureStarted(storage, 0, 0, 1);
        EmbeddedInfrastructure.stop(storage);
        assertThat(storage.resolve("kafka")).isDirectory();
    }

    private static boolean reachable(EmbeddedInfrastructure.Endpoints endpoints) {
        try (var socket = new Socket(endpoints.redisHost(), endpoints.redisPort())) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }
}
