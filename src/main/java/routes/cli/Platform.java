package routes.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The chat platforms a channel can be switched on for, with the webhook path each one calls. */
enum Platform {

    TELEGRAM("Telegram", "/webhooks/telegram"),
    SLACK("Slack", "/webhooks/slack/events"),
    WHATSAPP("WhatsApp", "/webhooks/whatsapp"),
    FEISHU("Feishu/Lark", "/webhooks/feishu"),
    MQTT("MQTT", null),
    XMPP("XMPP", null);

    private final String title;
    private final String webhookPath;

    Platform(String title, String webhookPath) {
        this.title = title;
        this.webhookPath = webhookPath;
    }

    /** The channel name, as in {@code caravan.channels.<id>}. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    String title() {
        return title;
    }

    /** The path the platform calls on Caravan's public URL; empty for platforms Caravan connects to itself. */
    Optional<String> webhookPath() {
        return Optional.ofNullable(webhookPath);
    }

    /** The settings prefix, {@code caravan.channels.<id>}. */
    String prefix() {
        return "caravan.channels." + id();
    }

    static Optional<Platform> byId(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equalsIgnoreCase(id.trim())).findFirst();
    }
}
