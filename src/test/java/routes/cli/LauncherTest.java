package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./caravan} launcher script itself: which JVM flags it starts the gateway with, by the Java version it
 * finds. {@code JAVA_HOME} points at a stand-in {@code java} that answers {@code -version} with the version under
 * test and writes every command line it is given to a file, so the test reads exactly what the script would run.
 */
class LauncherTest {

    private static final String JAVA_25_FLAGS =
            "-XX:+UseCompactObjectHeaders --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow";

    @TempDir
    Path dir;

    @Test
    void onJava25TheGatewayStartsWithCompactObjectHeadersAndWithoutNativeAccessWarnings() throws Exception {
        List<String> calls = launch("25.0.3", "run");

        String start = calls.get(calls.size() - 1);
        assertThat(start)
                .startsWith("-XX:G1PeriodicGCInterval=15000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 "
                        + "-XX:TrimNativeHeapInterval=10000 " + JAVA_25_FLAGS + " -Xmx300m -jar ")
                .endsWith("caravan-test.jar run");
    }

    @Test
    void onJava17TheGatewayStartsWithoutTheJava25Flags() throws Exception {
        List<String> calls = launch("17.0.15", "run");

        String start = calls.get(calls.size() - 1);
        assertThat(start)
                .startsWith("-XX:G1PeriodicGCInterval=15000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 "
                        + "-XX:TrimNativeHeapInterval=10000 -Xmx300m -jar ")
                .doesNotContain("CompactObjectHeaders", "enable-native-access", "sun-misc-unsafe");
    }

    @Test
    void onJava25CdsRecordsAnAotCacheWithTheObjectLayoutTheGatewayRunsWithAndRunStartsWithIt() throws Exception {
        List<String> recording = launch("25.0.3", "cds");
        assertThat(recording).filteredOn(call -> call.contains("-Dspring.context.exit=onRefresh"))
                .singleElement().asString()
                .startsWith(JAVA_25_FLAGS + " -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching -XX:AOTCacheOutput="
                        + dir.resolve("app/caravan.aot") + " ");

        List<String> calls = launch("25.0.3", "run");
        assertThat(calls.get(calls.size() - 1))
                .contains(JAVA_25_FLAGS + " -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching -XX:AOTCache="
                        + dir.resolve("app/caravan.aot") + " -Xmx300m -jar "
                        + dir.resolve("app/caravan-test.jar"));
    }

    @Test
    void onJava17CdsRecordsAClassDataSharingArchiveAndRunStartsWithIt() throws Exception {
        List<String> recording = launch("17.0.15", "cds");
        assertThat(recording).filteredOn(call -> call.contains("-Dspring.context.exit=onRefresh"))
                .singleElement().asString()
                .startsWith("-XX:ArchiveClassesAtExit=" + dir.resolve("app/caravan.jsa") + " ");

        List<String> calls = launch("17.0.15", "run");
        assertThat(calls.get(calls.size() - 1))
                .contains("-XX:TrimNativeHeapInterval=10000 -XX:SharedArchiveFile=" + dir.resolve("app/caravan.jsa")
                        + " -Xmx300m -jar " + dir.resolve("app/caravan-test.jar"));
    }

    /** Runs {@code ./caravan COMMAND} on a stand-in JDK of that version; returns the java command lines, in order. */
    private List<String> launch(String version, String command) throws IOException, InterruptedException {
        Path calls = dir.resolve("calls-" + command + ".txt");
        Path java = dir.resolve("jdk/bin/java");
        Files.createDirectories(java.getParent());
        // the values are written into the script: the recording start of `cds` runs under `env -i`
        Files.writeString(java, """
                #!/usr/bin/env bash
                printf '%%s\\n' "$*" >>'%s'
                previous=""
                for arg in "$@"; do
                  case $previous in
                    -jar) jar=$arg ;;
                    --destination) mkdir -p "$arg" && cp "$jar" "$arg/" ;;
                  esac
                  case $arg in
                    -version) echo 'openjdk version "%s" 2026-04-21 LTS' >&2 ;;
                    -XX:ArchiveClassesAtExit=* | -XX:AOTCacheOutput=*) echo archive >"${arg#*=}" ;;
                  esac
                  previous=$arg
                done
                """.formatted(calls, version), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = dir.resolve("caravan-test.jar");
        if (Files.notExists(jar)) {
            Files.writeString(jar, "not a jar: the stand-in java never opens it");
        }
        ProcessBuilder builder = new ProcessBuilder("bash", Path.of("caravan").toAbsolutePath().toString(), command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("launcher-" + command + ".log").toFile());
        builder.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
        builder.environment().put("JAVA_OPTS", "-Xmx300m");
        builder.environment().put("CARAVAN_JAR", jar.toString());
        builder.environment().put("CARAVAN_APP_DIR", dir.resolve("app").toString());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(() -> readQuietly(dir.resolve("launcher-" + command + ".log")))
                .isZero();
        return Files.readAllLines(calls);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
