package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.support.FakeOpenAiServer;

/**
 * {@code caravan doctor} as its own process in a directory holding caravan.yaml and caravan-secrets.yaml, the way
 * onboarding leaves them: external Kafka and Redis that are not there, and a provider whose key is in the secrets
 * file.
 */
class DoctorCommandTest {

    @TempDir
    Path dir;

    @Test
    void anUnreachableKafkaFailsWithExitCode1WhileAReachableProviderIsOk() throws Exception {
        try (FakeOpenAiServer provider = new FakeOpenAiServer().start().requireApiKey("sk-doctor-secret")) {
            int kafkaPort = closedPort();
            int redisPort = closedPort();
            Files.writeString(dir.resolve("caravan.yaml"), """
                    spring:
                      config:
                        import: optional:file:./caravan-secrets.yaml
                      data:
                        redis:
                          host: 127.0.0.1
                          port: %d
                    caravan:
                      embedded:
                        enabled: false
                      kafka:
                        bootstrap-servers: 127.0.0.1:%d
                      models:
                        providers:
                          openai:
                            base-url: %s
                    """.formatted(redisPort, kafkaPort, provider.baseUrl()));
            Files.writeString(dir.resolve("caravan-secrets.yaml"),
                    "caravan.models.providers.openai.api-key: sk-doctor-secret\n");
            Files.setPosixFilePermissions(dir.resolve("caravan-secrets.yaml"), ConfigFiles.OWNER_ONLY);

            Result doctor = run("doctor", "--caravan.http.port=" + closedPort());

            assertThat(doctor.exitCode()).isEqualTo(1);
            assertThat(doctor.output())
                    .contains("OK    config    read class path resource [application.yaml], file [caravan.yaml], "
                            + "file [caravan-secrets.yaml]")
                    .containsPattern("FAIL  kafka     127\\.0\\.0\\.1:" + kafkaPort + " unreachable: .+ -> start Kafka")
                    .containsPattern("FAIL  redis     127\\.0\\.0\\.1:" + redisPort + " unreachable")
                    .contains("OK    model     openai (openai, " + provider.baseUrl() + "): key accepted, 1 model listed")
                    .contains("FAIL, ")
                    .doesNotContain("sk-doctor-secret");
        }
    }

    @Test
    void theDefaultsAloneHaveNoFailure() throws Exception {
        Result doctor = run("doctor", "--caravan.http.port=" + closedPort(), "--caravan.storage.path=" + dir.resolve("data"));
        assertThat(doctor.exitCode()).as(doctor.output()).isZero();
        assertThat(doctor.output())
                .contains("WARN  config    no caravan.yaml in " + dir.toRealPath())
                .contains("OK    kafka     embedded: Caravan starts a single-node Kafka itself")
                .doesNotContain("FAIL ");
    }

    @Test
    void aFileThatIsNotYamlIsNamed() throws Exception {
        Files.writeString(dir.resolve("caravan.yaml"), "caravan:\n  http: [\n  port: 1\n");
        Result doctor = run("doctor");
        assertThat(doctor.exitCode()).isEqualTo(1);
        assertThat(doctor.output()).contains("FAIL  config    cannot read " + dir.resolve("caravan.yaml").toRealPath()
                + ": while parsing a flow sequence");
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(CliProcess.command(args)).directory(dir.toFile())
                .redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("CARAVAN_") || name.startsWith("SPRING_")
                || name.equals("OPENAI_API_KEY") || name.equals("OPENAI_BASE_URL"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
