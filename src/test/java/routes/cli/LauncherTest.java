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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /** On Java 25 and later: compact object headers, and no native-access or Unsafe warnings at every start. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "25.0.3  | '" + JAVA_25_FLAGS + " '",
        "17.0.15 | ''"})
    void theGatewayStartsWithTheFlagsOfItsJavaVersion(String version, String versionFlags) throws Exception {
        assertThat(gatewayStart(version))
                .isEqualTo("-XX:G1PeriodicGCInterval=15000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 "
                        + "-XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=70 "
                        + "-XX:TrimNativeHeapInterval=10000 " + versionFlags + "-Xmx300m -jar "
                        + dir.resolve("caravan-test.jar") + " run");
    }

    @Test
    void onJava25CdsRecordsAnAotCacheWithTheObjectLayoutTheGatewayRunsWithAndRunStartsWithIt() throws Exception {
        List<String> recording = launch("25.0.3", "cds");
        assertThat(recording).filteredOn(call -> call.contains("-Dspring.context.exit=onRefresh"))
                .singleElement().asString()
                .startsWith(JAVA_25_FLAGS + " -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching -XX:AOTCacheOutput="
                        + dir.resolve("app/caravan.aot") + " ");

        assertThat(gatewayStart("25.0.3"))
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

        assertThat(gatewayStart("17.0.15"))
                .contains("-XX:TrimNativeHeapInterval=10000 -XX:SharedArchiveFile=" + dir.resolve("app/caravan.jsa")
                        + " -Xmx300m -jar " + dir.resolve("app/caravan-test.jar"));
    }

    /** The command line {@code ./caravan run} starts the gateway with, on a stand-in JDK of that version. */
    private String gatewayStart(String version) throws IOException, InterruptedException {
        List<String> calls = launch(version, "run");
        return calls.get(calls.size() - 1);
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
