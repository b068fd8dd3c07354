package routes.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code caravan onboard}: asks for the model provider (and checks its key with a real call), the chat platforms to
 * connect and their secrets, and how the platforms reach Caravan; generates the gateway token; then writes
 * {@code caravan.yaml} and {@code caravan-secrets.yaml} and prints the webhook URLs to register and how to start.
 * Nothing is written until every question is answered, and an existing file is replaced only when confirmed.
 */
final class OnboardWizard {

    private static final Pattern TELEGRAM_TOKEN = Pattern.compile("\\d+:[A-Za-z0-9_-]{20,}");
    private static final List<String> PROVIDER_TYPES = List.of("openai", "anthropic", "ollama");

    private final Prompts prompts;
    private final ConfigFiles files;
    private final ProviderCheck providerCheck;
    private final UnaryOperator<String> environment;

    // the settings by part, so caravan.yaml reads top-down: how it is reached, the model, the platforms
    private final Map<String, Object> http = new LinkedHashMap<>();
    private final Map<String, Object> model = new LinkedHashMap<>();
    private final Map<String, Object> channels = new LinkedHashMap<>();
    private final Map<String, Object> secrets = new LinkedHashMap<>();
    private final Set<Platform> platforms = new LinkedHashSet<>();
    private final List<String> summary = new ArrayList<>();
    private String publicUrl = "";
    private boolean telegramWebhook;
    private boolean generatedVerifyToken;

    /**
     * @param prompts       where questions are asked
     * @param files         where the answers are written
     * @param providerCheck how the provider's key is checked
     * @param environment   environment variables by name (an API key already in the environment can be used)
     */
    OnboardWizard(Prompts prompts, ConfigFiles files, ProviderCheck providerCheck, UnaryOperator<String> environment) {
        this.prompts = prompts;
        this.files = files;
        this.providerCheck = providerCheck;
        this.environment = environment;
    }

    /** Runs the wizard; returns the process exit code. */
    int run() throws IOException {
        try {
            return steps();
        } catch (Prompts.Cancelled e) {
            prompts.say("");
            prompts.say("Stopped: nothing was written.");
            return 1;
        }
    }

    private int steps() throws IOException {
        Path where = files.settingsFile().toAbsolutePath().normalize().getParent();
        prompts.say("Caravan onboarding: a few questions, then two files in " + where + ":");
        prompts.say("  " + ConfigFiles.SETTINGS + "          settings");
        prompts.say("  " + ConfigFiles.SECRETS + "  keys and tokens, readable by you only");
        prompts.say("Nothing is written before the last step; Ctrl-C stops.");
        boolean replace = false;
        List<Path> existing = files.existing();
        if (!existing.isEmpty()) {
            String names = existing.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(" and "));
            replace = prompts.confirm(names + (existing.size() == 1 ? " exists" : " exist")
                    + " already. Replace (kept as .bak)?", false);
            if (!replace) {
                prompts.say("Nothing changed. Check the current configuration with: ./caravan doctor");
                return 0;
            }
        }
        secrets.put("caravan.auth.token", Tokens.hex32());
        modelProvider();
        chatPlatforms();
        reachability();

        Map<String, Object> settings = new LinkedHashMap<>(http);
        settings.putAll(model);
        settings.putAll(channels);
        files.write(settings, secrets, replace);
        finish();
        return 0;
    }

    // ------------------------------------------------------------------ model provider

    private void modelProvider() {
        section("Model provider");
        int choice = prompts.choose("Provider", List.of(
                "OpenAI-compatible (OpenAI, DeepSeek, Qwen, vLLM, LM Studio, Ollama's /v1 ...)",
                "Anthropic",
                "Ollama, native API (local, no key)",
                "none for now (messages get a reply saying how to configure one)"), 0);
        if (choice == PROVIDER_TYPES.size()) {
            summary.add("Model: none yet (see README, \"Connect a model\", or run ./caravan onboard again)");
            return;
        }
        String type = PROVIDER_TYPES.get(choice);
        String lastBaseUrl = defaultBaseUrl(type);
        while (true) {
            String baseUrl = prompts.ask("Base URL", lastBaseUrl, OnboardWizard::baseUrlProblem)
                    .replaceAll("/+$", "");
            lastBaseUrl = baseUrl;
            Key key = apiKey(type);
            String label = key.value().isEmpty() ? "Connection check" : "Key check";
            prompts.say("Checking " + baseUrl + " ...");
            ProviderCheck.Result result = providerCheck.check(type, baseUrl, key.value(), null);
            prompts.say(label + ": " + (result.ok() ? "OK (" : "FAILED (") + result.message() + ")");
            if (!result.ok() && prompts.confirm("Enter the provider details again?", true)) {
                continue;
            }
            String modelName = prompts.ask("Model", defaultModel(type), a -> a.isBlank() ? "A model name, please." : null);
            if (result.ok() && !result.models().isEmpty() && !result.lists(modelName)) {
                prompts.say("  Note: the provider does not list " + modelName + "; check the name.");
            }
            String provider = "caravan.models.providers." + type;
            model.put(provider + ".type", type);
            model.put(provider + ".base-url", baseUrl);
            if (key.fromEnvironment()) {
                model.put(provider + ".api-key", "${" + envVariable(type) + ":}");
            } else if (!key.value().isEmpty()) {
                secrets.put(provider + ".api-key", key.value());
            }
            model.put("caravan.models.profiles.general.chain", List.of(step(type, modelName)));
            model.put("caravan.models.profiles.coding.chain", List.of(step(type, modelName)));
            summary.add("Model: " + modelName + " on " + type + " at " + baseUrl + "; " + label.toLowerCase()
                    + (result.ok() ? " OK" : " FAILED (" + result.message() + ")"));
            return;
        }
    }

    /** One link of a profile's chain (a fresh map each time: YAML would write a shared one as an alias). */
    private static Map<String, Object> step(String provider, String modelName) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("provider", provider);
        step.put("model", modelName);
        return step;
    }

    private record Key(String value, boolean fromEnvironment) {
    }

    private Key apiKey(String type) {
        if (type.equals("ollama")) {
            return new Key("", false);
        }
        String variable = envVariable(type);
        String inEnvironment = Optional.ofNullable(environment.apply(variable)).orElse("").trim();
        String question = "API key";
        if (!inEnvironment.isEmpty()) {
            question += " (empty = use $" + variable + ")";
        } else if (type.equals("openai")) {
            question += " (empty for a server without keys)";
        }
        boolean required = type.equals("anthropic") && inEnvironment.isEmpty();
        String typed = prompts.secret(question, k -> required && k.isEmpty() ? "Anthropic needs a key." : null);
        return typed.isEmpty() && !inEnvironment.isEmpty() ? new Key(inEnvironment, true) : new Key(typed, false);
    }

    private static String envVariable(String type) {
        return type.equals("anthropic") ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
    }

    private static String defaultBaseUrl(String type) {
        return switch (type) {
            case "anthropic" -> "https://api.anthropic.com/v1";
            case "ollama" -> "http://localhost:11434";
            default -> "https://api.openai.com/v1";
        };
    }

    private static String defaultModel(String type) {
        return switch (type) {
            case "anthropic" -> "claude-3-5-haiku-latest";
            case "ollama" -> "llama3.2";
            default -> "gpt-4o-mini";
        };
    }

    // ------------------------------------------------------------------ chat platforms

    private void chatPlatforms() {
        section("Chat platforms");
        prompts.say("The web chat, WebSocket, REST and OpenAI-compatible API are always on.");
        String names = Arrays.stream(Platform.values()).map(Platform::id).collect(Collectors.joining(", "));
        String answer = prompts.ask("Platforms to connect, comma-separated: " + names + " (empty = web only)", "",
                OnboardWizard::platformsProblem);
        for (String id : answer.split("[,\\s]+")) {
            Platform.byId(id).ifPresent(platforms::add);
        }
        for (Platform platform : platforms) {
            prompts.say("");
            prompts.say(platform.title() + ":");
            switch (platform) {
                case TELEGRAM -> secrets.put(platform.prefix() + ".token", prompts.secret(
                        "Bot token from @BotFather", t -> TELEGRAM_TOKEN.matcher(t).matches() ? null
                                : "A bot token looks like 123456789:AA... (digits, a colon, then the key)."));
                case SLACK -> {
                    secrets.put(platform.prefix() + ".bot-token", prompts.secret("Bot User OAuth Token (xoxb-...)",
                            t -> t.startsWith("xoxb-") ? null : "A bot token starts with xoxb-."));
                    secrets.put(platform.prefix() + ".signing-secret", prompts.secret(
                            "Signing secret (Basic Information)", OnboardWizard::required));
                }
                case WHATSAPP -> {
                    channels.put(platform.prefix() + ".phone-number-id", prompts.ask("Phone number ID", "",
                            a -> a.matches("\\d+") ? null : "The phone number ID is a number (API Setup page)."));
                    secrets.put(platform.prefix() + ".access-token", prompts.secret("System user access token",
                            OnboardWizard::required));
                    secrets.put(platform.prefix() + ".app-secret", prompts.secret("App secret (App settings > Basic)",
                            OnboardWizard::required));
                    String verify = prompts.secret("Webhook verify token (empty = generate one)");
                    generatedVerifyToken = verify.isEmpty();
                    secrets.put(platform.prefix() + ".verify-token", verify.isEmpty() ? Tokens.hex32() : verify);
                }
                case FEISHU -> {
                    int region = prompts.choose("Which one", List.of("Feishu (open.feishu.cn)",
                            "Lark (open.larksuite.com)"), 0);
                    channels.put(platform.prefix() + ".api-url", region == 0 ? "https://open.feishu.cn/open-apis"
                            : "https://open.larksuite.com/open-apis");
                    channels.put(platform.prefix() + ".app-id", prompts.ask("App ID (cli_...)", "",
                            OnboardWizard::required));
                    secrets.put(platform.prefix() + ".app-secret", prompts.secret("App Secret",
                            OnboardWizard::required));
                    secrets.put(platform.prefix() + ".verification-token", prompts.secret(
                            "Verification Token (Events & Callbacks)", OnboardWizard::required));
                    String encryptKey = prompts.secret("Encrypt Key (empty = events arrive unencrypted)");
                    if (!encryptKey.isEmpty()) {
                        secrets.put(platform.prefix() + ".encrypt-key", encryptKey);
                    }
                }
                case MQTT -> {
                    channels.put(platform.prefix() + ".broker-url", prompts.ask("Broker URL", "tcp://localhost:1883",
                            OnboardWizard::brokerProblem));
                    String user = prompts.ask("User name (empty = none)", "");
                    if (!user.isEmpty()) {
                        channels.put(platform.prefix() + ".username", user);
                        secrets.put(platform.prefix() + ".password", prompts.secret("Password"));
                    }
                }
                case XMPP -> {
                    channels.put(platform.prefix() + ".host", prompts.ask("Server host", "", OnboardWizard::required));
                    channels.put(platform.prefix() + ".user", prompts.ask("Bot account (local part or bare JID)", "",
                            OnboardWizard::required));
                    secrets.put(platform.prefix() + ".password", prompts.secret("Password", OnboardWizard::required));
                    List<String> rooms = Arrays.stream(prompts.ask(
                                    "Rooms to join, comma-separated (empty = direct chats only)", "").split("[,\\s]+"))
                            .filter(r -> !r.isBlank()).toList();
                    if (!rooms.isEmpty()) {
                        channels.put(platform.prefix() + ".rooms", rooms);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ public URL, webhooks, bind address

    private void reachability() {
        section("Reaching Caravan");
        boolean webhooks = platforms.stream().anyMatch(p -> p.webhookPath().isPresent());
        if (webhooks) {
            publicUrl = prompts.ask("Public HTTPS base URL the platforms call, e.g. https://bot.example.com"
                    + " (empty = decide later)", "", OnboardWizard::publicUrlProblem).replaceAll("/+$", "");
        }
        if (platforms.contains(Platform.TELEGRAM)) {
            String prefix = Platform.TELEGRAM.prefix();
            telegramWebhook = !publicUrl.isEmpty() && prompts.confirm("Telegram: receive messages by webhook at "
                    + publicUrl + "/webhooks/telegram instead of polling?", true);
            channels.put(prefix + ".mode", telegramWebhook ? "webhook" : "polling");
            if (telegramWebhook) {
                channels.put(prefix + ".webhook-url", publicUrl + "/webhooks/telegram");
                secrets.put(prefix + ".webhook-secret", Tokens.hex32());
            }
        }
        prompts.say("With the gateway token Caravan may listen on every interface; a reverse proxy on this machine");
        prompts.say("reaches it on 127.0.0.1 as well.");
        boolean everywhere = prompts.confirm("Accept connections from other machines (listen on 0.0.0.0)?",
                !publicUrl.isEmpty());
        // a gateway token alone would make Caravan listen on every interface: say which one it is either way
        http.put("caravan.http.bind-address", everywhere ? "0.0.0.0" : "127.0.0.1");
    }

    // ------------------------------------------------------------------ the end

    private void finish() {
        section("Done");
        prompts.say("Written:");
        prompts.say("  " + files.settingsFile().toAbsolutePath().normalize() + "  (settings)");
        prompts.say("  " + files.secretsFile().toAbsolutePath().normalize()
                + "  (secrets, readable by you only: chmod 600)");
        summary.forEach(prompts::say);
        prompts.say("Gateway token: generated, caravan.auth.token in " + ConfigFiles.SECRETS + ". Clients send it as");
        prompts.say("  Authorization: Bearer <token>; the web chat opens as http://127.0.0.1:18789/?token=<token>");
        List<Platform> hooked = platforms.stream().filter(p -> p.webhookPath().isPresent())
                .filter(p -> p != Platform.TELEGRAM || telegramWebhook).toList();
        if (!hooked.isEmpty()) {
            String base = publicUrl.isEmpty() ? "https://<public-host>" : publicUrl;
            prompts.say("Webhook URLs to register" + (publicUrl.isEmpty() ? " (once you have a public HTTPS URL)" : "")
                    + ":");
            for (Platform p : hooked) {
                prompts.say(String.format("  %-12s %s  (%s)", p.title(), base + p.webhookPath().orElseThrow(),
                        where(p)));
            }
        }
        if (platforms.contains(Platform.TELEGRAM) && !telegramWebhook) {
            prompts.say("Telegram: polling, no webhook needed.");
        }
        prompts.say("Next:");
        prompts.say("  ./caravan doctor   check the configuration and everything it points at");
        prompts.say("  ./caravan run      start the gateway (Ctrl-C stops it)");
    }

    private String where(Platform platform) {
        return switch (platform) {
            case TELEGRAM -> "Caravan registers it with setWebhook at start-up";
            case SLACK -> "Event Subscriptions > Request URL";
            case WHATSAPP -> "WhatsApp > Configuration > Webhook, with the verify token "
                    + (generatedVerifyToken ? "generated into " : "in ") + ConfigFiles.SECRETS;
            case FEISHU -> "Events & Callbacks > request URL";
            default -> "";
        };
    }

    private void section(String title) {
        prompts.say("");
        prompts.say("== " + title);
    }

    // ------------------------------------------------------------------ answer checks

    private static String required(String answer) {
        return answer.isBlank() ? "This one is needed." : null;
    }

    static String baseUrlProblem(String url) {
        return httpUrlProblem(url, false);
    }

    static String publicUrlProblem(String url) {
        return url.isEmpty() ? null : httpUrlProblem(url, true);
    }

    private static String httpUrlProblem(String url, boolean httpsOnly) {
        try {
            URI uri = URI.create(url);
            boolean https = "https".equalsIgnoreCase(uri.getScheme());
            if (uri.getHost() == null || !(https || (!httpsOnly && "http".equalsIgnoreCase(uri.getScheme())))) {
                return httpsOnly ? "Platforms call HTTPS URLs only: https://host[/path]." : "An http:// or https:// URL.";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "Not a URL: " + e.getMessage();
        }
    }

    static String platformsProblem(String answer) {
        List<String> unknown = Arrays.stream(answer.split("[,\\s]+")).filter(s -> !s.isBlank())
                .filter(s -> !s.equalsIgnoreCase("web") && Platform.byId(s).isEmpty()).toList();
        return unknown.isEmpty() ? null : "Unknown: " + String.join(", ", unknown) + ".";
    }

    static String brokerProblem(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() != null && Set.of("tcp", "ssl", "ws", "wss").contains(String.valueOf(uri.getScheme()))) {
                return null;
            }
        } catch (IllegalArgumentException e) {
            // said below
        }
        return "A broker URL like tcp://host:1883 or ssl://host:8883.";
    }
}
