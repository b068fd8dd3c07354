package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import routes.support.FakeOpenAiServer;

/**
 * {@code caravan onboard} driven as a person would drive it: the command runs in a real pseudo-terminal (pty4j), the
 * test waits for each question on the screen and types the answer followed by Enter. The provider is a fake
 * OpenAI-compatible server on loopback that takes one key only.
 */
class OnboardTerminalTest {

    private static final String GOOD_KEY = "sk-onboard-good-7d41";
    private static final String WRONG_KEY = "sk-onboard-wrong-0b2e";
    private static final String TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final String SLACK_TOKEN = "xoxb-111-222-SlackBotToken";
    private static final String SLACK_SIGNING = "slack-signing-secret-5c9a";
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007]*\u0007|\u001B[=>()][0-9A-B]?");

    @TempDir
    Path dir;

    private final FakeOpenAiServer provider = new FakeOpenAiServer().start().requireApiKey(GOOD_KEY);
    private final StringBuffer screen = new StringBuffer();
    private int read;
    private PtyProcess process;
    private OutputStream keyboard;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
        provider.close();
    }

    @Test
    void onboardingChecksTheKeyWritesBothFilesAndPrintsTheWebhookUrls() throws Exception {
        start();
        answer("Provider [1]:", "1");
        answer("Base URL [https://api.openai.com/v1]:", provider.baseUrl());
        answer("API key (empty for a server without keys) (hidden):", WRONG_KEY);
        expect("Key check: FAILED (HTTP 401 from GET " + provider.baseUrl() + "/models: ");
        answer("Enter the provider details again? [Y/n]:", "y");
        answer("Base URL [" + provider.baseUrl() + "]:", "");
        answer("API key (empty for a server without keys) (hidden):", GOOD_KEY);
        expect("Key check: OK (key accepted, 1 model listed)");
        answer("Model [gpt-4o-mini]:", FakeOpenAiServer.MODEL_ID);
        answer("(empty = web only):", "telegram, slack");
        answer("Bot token from @BotFather (hidden):", TELEGRAM_TOKEN);
        answer("Bot User OAuth Token (xoxb-...) (hidden):", SLACK_TOKEN);
        answer("Signing secret (Basic Information) (hidden):", SLACK_SIGNING);
        answer("(empty = decide later):", "https://bot.example.com");
        answer("instead of polling? [Y/n]:", "");
        answer("(listen on 0.0.0.0)? [Y/n]:", "");
        expect("./caravan run");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();

        String output = text();
        assertThat(output)
                .contains("Key check: FAILED (HTTP 401 from GET " + provider.baseUrl() + "/models: Incorrect API key")
                .contains("Key check: OK (key accepted, 1 model listed)")
                .contains("https://bot.example.com/webhooks/telegram")
                .contains("https://bot.example.com/webhooks/slack/events");
        // typed secrets never reach the screen
        assertThat(output).doesNotContain(GOOD_KEY, WRONG_KEY, TELEGRAM_TOKEN, SLACK_TOKEN, SLACK_SIGNING);

        Path settingsFile = dir.resolve("caravan.yaml");
        Path secretsFile = dir.resolve("caravan-secrets.yaml");
        assertThat(settingsFile).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secretsFile))).isEqualTo("rw-------");
        Map<String, Object> settings = new Yaml().load(Files.readString(settingsFile));
        Map<String, Object> secrets = new Yaml().load(Files.readString(secretsFile));
        assertThat(at(settings, "spring.config.import")).isEqualTo("optional:file:./caravan-secrets.yaml");
        assertThat(at(settings, "caravan.http.bind-address")).isEqualTo("0.0.0.0");
        assertThat(at(settings, "caravan.models.providers.openai.base-url")).isEqualTo(provider.baseUrl());
        assertThat(at(settings, "caravan.channels.telegram.mode")).isEqualTo("webhook");
        assertThat(at(settings, "caravan.channels.telegram.webhook-url"))
                .isEqualTo("https://bot.example.com/webhooks/telegram");
        assertThat(Files.readString(settingsFile)).doesNotContain(GOOD_KEY, TELEGRAM_TOKEN, SLACK_SIGNING);
        assertThat((String) at(secrets, "caravan.auth.token")).matches("[0-9a-f]{32}");
        assertThat(at(secrets, "caravan.models.providers.openai.api-key")).isEqualTo(GOOD_KEY);
        assertThat(at(secrets, "caravan.channels.telegram.token")).isEqualTo(TELEGRAM_TOKEN);
        assertThat((String) at(secrets, "caravan.channels.telegram.webhook-secret")).matches("[0-9a-f]{32}");
        assertThat(at(secrets, "caravan.channels.slack.bot-token")).isEqualTo(SLACK_TOKEN);
        assertThat(at(secrets, "caravan.channels.slack.signing-secret")).isEqualTo(SLACK_SIGNING);
    }

    @Test
    void anExistingFileIsKeptUnlessTheAnswerIsYes() throws Exception {
        Files.writeString(dir.resolve("caravan.yaml"), "caravan: {}\n");
        start();
        answer("caravan.yaml exists already. Replace (kept as .bak)? [y/N]:", "");
        expect("Nothing changed.");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("caravan.yaml"))).isEqualTo("caravan: {}\n");
        assertThat(dir.resolve("caravan-secrets.yaml")).doesNotExist();
    }

    // ------------------------------------------------------------------ the terminal

    private void start() throws IOException {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("TERM", "xterm-256color");
        // the wizard offers a key found in the environment: this test types its own
        environment.remove("OPENAI_API_KEY");
        environment.remove("ANTHROPIC_API_KEY");
        process = new PtyProcessBuilder(CliProcess.command("onboard").toArray(String[]::new))
                .setDirectory(dir.toString())
                .setEnvironment(environment)
                .setInitialColumns(200)
                .setInitialRows(60)
                .setRedirectErrorStream(true)
                .start();
        keyboard = process.getOutputStream();
        InputStream terminal = process.getInputStream();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = terminal.read(buffer)) >= 0; ) {
                    screen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "pty-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until {@code prompt} is on the screen (after what was already matched), then types {@code line}. */
    private void answer(String prompt, String line) throws IOException {
        expect(prompt);
        keyboard.write((line + "\r").getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    private void expect(String wanted) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> text().indexOf(wanted, read) >= 0);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not on the screen: \"" + wanted + "\"; the screen so far:\n" + text(), e);
        }
        read = text().indexOf(wanted, read) + wanted.length();
    }

    /** What the terminal showed, without escape sequences and carriage returns. */
    private String text() {
        return ANSI.matcher(screen.toString()).replaceAll("").replace("\r", "");
    }

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> yaml, String dotted) {
        Object node = yaml;
        for (String part : dotted.split("\\.")) {
            node = node instanceof Map<?, ?> map ? ((Map<String, Object>) map).get(part) : null;
        }
        return node;
    }
}
