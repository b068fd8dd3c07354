package routes.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreErrorsBindHandler;
import org.springframework.core.env.ConfigurableEnvironment;
import routes.channel.feishu.FeishuProperties;
import routes.channel.mqtt.MqttProperties;
import routes.channel.slack.SlackProperties;
import routes.channel.telegram.TelegramProperties;
import routes.channel.web.WebProperties;
import routes.channel.whatsapp.WhatsAppProperties;
import routes.channel.xmpp.XmppProperties;
import routes.model.ModelProperties;
import routes.security.AuthProperties;

/**
 * The checks {@code caravan doctor} makes on the configuration alone, without the network: which files were read,
 * the secrets file's permissions, where the gateway will listen and whether that is allowed, the secrets each
 * switched-on channel needs, and whether the model profiles name providers that exist.
 */
final class ConfigurationChecks {

    private static final Pattern TELEGRAM_TOKEN = Pattern.compile("\\d+:[A-Za-z0-9_-]{20,}");
    private static final Pattern TELEGRAM_SECRET = Pattern.compile("[A-Za-z0-9_-]{1,256}");
    private static final Set<String> PROVIDER_TYPES = Set.of("openai", "anthropic", "ollama");

    private final ConfigurableEnvironment environment;
    private final Binder binder;
    private final Path workingDirectory;

    ConfigurationChecks(ConfigurableEnvironment environment, Path workingDirectory) {
        this.environment = environment;
        this.binder = Binder.get(environment);
        this.workingDirectory = workingDirectory;
    }

    /**
     * Binds a settings class as the gateway would, leaving out values it would refuse (the settings check reports
     * them); when a setter refuses a value the whole group falls back to its defaults.
     */
    <T> T settings(String prefix, Class<T> type) {
        T bound = binder.bindOrCreate(prefix, Bindable.of(type), new IgnoreErrorsBindHandler());
        return bound != null ? bound : BeanUtils.instantiateClass(type);
    }

    Binder binder() {
        return binder;
    }

    // ------------------------------------------------------------------ files

    List<Check> files() {
        List<Check> checks = new ArrayList<>();
        List<String> read = CaravanConfig.files(environment);
        List<String> inOrder = new ArrayList<>(read);
        java.util.Collections.reverse(inOrder);
        checks.add(Check.ok("config", "read " + String.join(", ", inOrder)));
        if (read.stream().noneMatch(f -> f.endsWith("[" + ConfigFiles.SETTINGS + "]"))) {
            checks.add(Check.warn("config", "no " + ConfigFiles.SETTINGS + " in " + workingDirectory
                    + ": defaults and environment only", "./caravan onboard writes one"));
        }
        Path secrets = workingDirectory.resolve(ConfigFiles.SECRETS);
        if (Files.exists(secrets)) {
            if (read.stream().noneMatch(f -> f.endsWith("[" + ConfigFiles.SECRETS + "]"))) {
                checks.add(Check.warn("config", ConfigFiles.SECRETS + " exists but is not read",
                        "add spring.config.import: " + ConfigFiles.SECRETS_IMPORT + " to " + ConfigFiles.SETTINGS));
            }
            try {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(secrets);
                if (!ConfigFiles.OWNER_ONLY.containsAll(mode)) {
                    checks.add(Check.warn("config", ConfigFiles.SECRETS + " is readable by others ("
                            + PosixFilePermissions.toString(mode) + ")", "chmod 600 " + ConfigFiles.SECRETS));
                }
            } catch (UnsupportedOperationException | IOException e) {
                // no POSIX permissions here (Windows): nothing to check
            }
        }
        return checks;
    }

    // ------------------------------------------------------------------ HTTP and authentication

    List<Check> http() {
        WebProperties web = settings("caravan.http", WebProperties.class);
        AuthProperties auth = settings("caravan.auth", AuthProperties.class);
        String asked = web.getBindAddress() != null && !web.getBindAddress().isBlank() ? web.getBindAddress().trim()
                : binder.bind("server.address", String.class).orElse(null);
        boolean authenticated = auth.isConfigured();
        List<Check> checks = new ArrayList<>();
        String address;
        if (asked == null || asked.isBlank()) {
            address = authenticated ? "0.0.0.0" : "127.0.0.1";
        } else if (!authenticated && !isLoopback(asked)) {
            checks.add(Check.fail("http", "caravan.http.bind-address=" + asked
                            + " without authentication: the gateway refuses to start",
                    "set caravan.auth.token (./caravan onboard generates one), or listen on 127.0.0.1"));
            return checks;
        } else {
            address = asked;
        }
        String how = authenticated ? "callers need the gateway token or another credential"
                : "no authentication: only this machine can call it";
        checks.add(Check.ok("http", "listens on " + address + ":" + web.getPort() + "; " + how));
        if (!auth.getToken().isBlank() && auth.getToken().length() < 16) {
            checks.add(Check.warn("http", "caravan.auth.token is short (" + auth.getToken().length()
                    + " characters)", "use 32 random hex characters, e.g. openssl rand -hex 16"));
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, web.getPort()));
        } catch (IOException e) {
            checks.add(Check.warn("http", "cannot listen on " + address + ":" + web.getPort() + " now ("
                    + e.getMessage() + ")", "stop the program using the port (a running Caravan?), or correct "
                    + "caravan.http.port or caravan.http.bind-address"));
        }
        return checks;
    }

    private static boolean isLoopback(String address) {
        if ("localhost".equalsIgnoreCase(address)) {
            return true;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ channels

    List<Check> channels() {
        List<Check> checks = new ArrayList<>();
        checks.addAll(telegram(settings("caravan.channels.telegram", TelegramProperties.class)));
        checks.addAll(slack(settings("caravan.channels.slack", SlackProperties.class)));
        checks.addAll(whatsApp(settings("caravan.channels.whatsapp", WhatsAppProperties.class)));
        checks.addAll(feishu(settings("caravan.channels.feishu", FeishuProperties.class)));
        checks.addAll(mqtt(settings("caravan.channels.mqtt", MqttProperties.class)));
        checks.addAll(xmpp(settings("caravan.channels.xmpp", XmppProperties.class)));
        if (checks.isEmpty()) {
            checks.add(Check.ok("channels", "no chat platform connected: web chat, WebSocket, REST and OpenAI API only"));
        }
        return checks;
    }

    private static List<Check> telegram(TelegramProperties t) {
        String topic = "telegram";
        List<Check> checks = new ArrayList<>();
        if (blank(t.getToken())) {
            offButSet(checks, topic, "token", "webhook-secret", t.getWebhookSecret());
            return checks;
        }
        if (!TELEGRAM_TOKEN.matcher(t.getToken().trim()).matches()) {
            checks.add(Check.warn(topic, "the token does not look like a bot token (123456789:AA...)",
                    "copy it again from @BotFather"));
        }
        if (t.getMode() == TelegramProperties.Mode.WEBHOOK) {
            if (blank(t.getWebhookSecret())) {
                checks.add(Check.fail(topic, "webhook mode without caravan.channels.telegram.webhook-secret",
                        "set it (1-256 of A-Z a-z 0-9 _ -), or use mode polling"));
            } else if (!TELEGRAM_SECRET.matcher(t.getWebhookSecret()).matches()) {
                checks.add(Check.fail(topic, "the webhook secret holds characters Telegram does not allow",
                        "use only A-Z a-z 0-9 _ - (1-256 of them)"));
            }
            if (blank(t.getWebhookUrl())) {
                checks.add(Check.warn(topic, "webhook mode without webhook-url: Caravan does not register it",
                        "register https://<host>/webhooks/telegram with setWebhook yourself, or set webhook-url"));
            }
        }
        if (checks.stream().noneMatch(c -> c.status() == Check.Status.FAIL)) {
            checks.add(0, Check.ok(topic, "on, " + (t.getMode() == TelegramProperties.Mode.WEBHOOK
                    ? "webhook" + (blank(t.getWebhookUrl()) ? "" : " at " + t.getWebhookUrl()) : "long polling")));
        }
        return checks;
    }

    private static List<Check> slack(SlackProperties s) {
        String topic = "slack";
        List<Check> checks = new ArrayList<>();
        if (blank(s.getBotToken())) {
            offButSet(checks, topic, "bot-token", "signing-secret", s.getSigningSecret());
            return checks;
        }
        if (blank(s.getSigningSecret())) {
            checks.add(Check.fail(topic, "no caravan.channels.slack.signing-secret: every event call is refused",
                    "copy the signing secret from Basic Information"));
        } else {
            checks.add(Check.ok(topic, "on, events at /webhooks/slack/events"));
        }
        if (!s.getBotToken().startsWith("xoxb-")) {
            checks.add(Check.warn(topic, "the bot token does not start with xoxb-",
                    "use the Bot User OAuth Token (OAuth & Permissions)"));
        }
        return checks;
    }

    private static List<Check> whatsApp(WhatsAppProperties w) {
        String topic = "whatsapp";
        List<Check> checks = new ArrayList<>();
        if (blank(w.getAccessToken())) {
            offButSet(checks, topic, "access-token", "app-secret", w.getAppSecret(),
                    "verify-token", w.getVerifyToken());
            return checks;
        }
        if (blank(w.getAppSecret())) {
            checks.add(Check.fail(topic, "no caravan.channels.whatsapp.app-secret: every webhook call is refused",
                    "copy the app secret (App settings > Basic)"));
        }
        if (blank(w.getVerifyToken())) {
            checks.add(Check.fail(topic, "no caravan.channels.whatsapp.verify-token: Meta cannot subscribe the webhook",
                    "set any random string and type the same into the webhook configuration"));
        }
        if (checks.isEmpty()) {
            checks.add(Check.ok(topic, "on, webhook at /webhooks/whatsapp"));
        }
        if (blank(w.getPhoneNumberId())) {
            checks.add(Check.warn(topic, "no phone-number-id: replies go out only from the number a person wrote to",
                    "set caravan.channels.whatsapp.phone-number-id"));
        }
        if (blank(w.getTemplateName())) {
            checks.add(Check.warn(topic, "no template-name: replies after the 24-hour window go to the DLQ",
                    "get a template approved and set caravan.channels.whatsapp.template-name"));
        }
        return checks;
    }

    private static List<Check> feishu(FeishuProperties f) {
        String topic = "feishu";
        List<Check> checks = new ArrayList<>();
        if (blank(f.getAppId())) {
            offButSet(checks, topic, "app-id", "app-secret", f.getAppSecret(),
                    "verification-token", f.getVerificationToken(), "encrypt-key", f.getEncryptKey());
            return checks;
        }
        if (blank(f.getAppSecret())) {
            checks.add(Check.fail(topic, "no caravan.channels.feishu.app-secret: no access token, so no replies",
                    "copy the App Secret from the developer console"));
        }
        if (blank(f.getVerificationToken()) && blank(f.getEncryptKey())) {
            checks.add(Check.fail(topic, "neither verification-token nor encrypt-key: events cannot be verified",
                    "copy them from Events & Callbacks"));
        }
        if (checks.isEmpty()) {
            checks.add(Check.ok(topic, "on, events at /webhooks/feishu"));
        }
        if (blank(f.getEncryptKey()) && !blank(f.getVerificationToken())) {
            checks.add(Check.warn(topic, "no encrypt-key: events arrive unencrypted and unsigned",
                    "set an Encrypt Key in Events & Callbacks and in caravan.channels.feishu.encrypt-key"));
        }
        return checks;
    }

    private static List<Check> mqtt(MqttProperties m) {
        String topic = "mqtt";
        List<Check> checks = new ArrayList<>();
        if (blank(m.getBrokerUrl())) {
            offButSet(checks, topic, "broker-url", "password", m.getPassword());
            return checks;
        }
        String problem = OnboardWizard.brokerProblem(m.getBrokerUrl());
        if (problem != null) {
            checks.add(Check.fail(topic, "caravan.channels.mqtt.broker-url=" + m.getBrokerUrl() + " is not usable",
                    problem));
            return checks;
        }
        checks.add(Check.ok(topic, "on, broker " + m.getBrokerUrl()));
        if (!blank(m.getUsername()) && blank(m.getPassword())) {
            checks.add(Check.warn(topic, "a user name without a password", "set caravan.channels.mqtt.password"));
        }
        return checks;
    }

    private static List<Check> xmpp(XmppProperties x) {
        String topic = "xmpp";
        List<Check> checks = new ArrayList<>();
        if (blank(x.getHost()) || blank(x.getUser())) {
            if (!blank(x.getHost()) || !blank(x.getUser()) || !blank(x.getPassword())) {
                checks.add(Check.warn(topic, "off: it needs both host and user",
                        "set caravan.channels.xmpp.host and .user, or remove the others"));
            }
            return checks;
        }
        if (blank(x.getPassword())) {
            checks.add(Check.fail(topic, "no caravan.channels.xmpp.password: the login fails",
                    "set the bot account's password"));
        } else {
            checks.add(Check.ok(topic, "on, " + x.accountJid() + " at " + x.getHost() + ":" + x.getPort()));
        }
        return checks;
    }

    /** A channel that is off although some of its secrets are set: probably the switch was forgotten. */
    private static void offButSet(List<Check> checks, String topic, String switchName, String... namesAndValues) {
        List<String> set = new ArrayList<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (!blank(namesAndValues[i + 1])) {
                set.add(namesAndValues[i]);
            }
        }
        if (!set.isEmpty()) {
            checks.add(Check.warn(topic, "off (no " + switchName + ") although " + String.join(", ", set)
                    + (set.size() == 1 ? " is" : " are") + " set", "set caravan.channels." + topic + "."
                    + switchName + " to switch it on"));
        }
    }

    // ------------------------------------------------------------------ models

    List<Check> models() {
        ModelProperties models = settings("caravan.models", ModelProperties.class);
        List<Check> checks = new ArrayList<>();
        models.getProviders().forEach((name, provider) -> {
            String type = provider.getType() == null ? "openai" : provider.getType().trim().toLowerCase(java.util.Locale.ROOT);
            if (!PROVIDER_TYPES.contains(type)) {
                checks.add(Check.fail("model", "caravan.models.providers." + name + ".type=" + provider.getType()
                        + " is unknown", "use openai, anthropic or ollama"));
            }
        });
        models.getProfiles().forEach((profile, settings) -> {
            if (settings.getChain().isEmpty()) {
                checks.add(Check.warn("model", "profile " + profile + " has an empty chain",
                        "list at least one provider and model under caravan.models.profiles." + profile + ".chain"));
            }
            for (ModelProperties.Step step : settings.getChain()) {
                for (String provider : step.providerNames()) {
                    if (!models.getProviders().containsKey(provider)) {
                        checks.add(Check.fail("model", "profile " + profile + " names provider " + provider
                                        + ", which is not under caravan.models.providers",
                                "add it, or correct the name"));
                    }
                }
            }
        });
        if (!models.getProfiles().containsKey(models.getDefaultProfile())) {
            checks.add(Check.warn("model", "the default profile " + models.getDefaultProfile() + " does not exist",
                    "set caravan.models.default-profile to one of " + models.getProfiles().keySet()));
        }
        for (String name : usedProviders(models)) {
            ModelProperties.Provider provider = models.getProviders().get(name);
            if (provider != null && !provider.isConfigured()) {
                checks.add(Check.warn("model", "provider " + name + " (" + provider.getBaseUrl()
                                + ") has no API key: messages for it get a reply saying so",
                        name.equals("openai") ? "set OPENAI_API_KEY, or run ./caravan onboard"
                                : "set caravan.models.providers." + name + ".api-key"));
            }
        }
        return checks;
    }

    /** The providers some profile's chain names. */
    static Set<String> usedProviders(ModelProperties models) {
        Set<String> used = new java.util.LinkedHashSet<>();
        models.getProfiles().values().forEach(p -> p.getChain().forEach(s -> used.addAll(s.providerNames())));
        return used;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
