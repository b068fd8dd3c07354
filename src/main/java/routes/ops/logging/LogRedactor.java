package routes.ops.logging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks personal data and credentials in a log line: e-mail addresses, phone numbers, bearer tokens and API keys
 * of well-known shapes, {@code password=…}-style assignments, and the configured secret values verbatim.
 *
 * <p>One instance serves the whole process ({@link #current()}), because logging is process-wide too: the log
 * encoders ask it for every line, and start-up adds the secret values it finds in the configuration
 * ({@link SecretValues}). Digits alone are not taken for phone numbers (ids and timestamps look the same): a phone
 * number is an international number starting with {@code +}, or the grouped {@code (555) 123-4567} form.
 */
public final class LogRedactor {

    /** What a masked e-mail address becomes. */
    public static final String EMAIL = "[email]";
    /** What a masked phone number becomes. */
    public static final String PHONE = "[phone]";
    /** What a masked token, key or configured secret becomes. */
    public static final String SECRET = "[secret]";

    /** Shorter configured values are not masked verbatim: they would mask ordinary words and numbers. */
    public static final int MIN_SECRET_LENGTH = 8;

    // one pass over the line; the group that matched says what it was
    private static final Pattern SENSITIVE = Pattern.compile(String.join("|",
            // name=value / name: value of a credential: the name stays, the value goes
            "(?<assign>(?i:\\b(?:api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|secret|password|passwd"
                    + "|pwd)\\b)[\"']?\\s*[=:]\\s*[\"']?)(?<assigned>(?!\\[secret\\])[^\\s\"',;&}]{4,})",
            "(?<bearer>(?i:\\bbearer\\s+))(?<token>[A-Za-z0-9._~+/-]{8,}=*)",
            // JSON Web Tokens: base64url header and payload, both JSON objects
            "(?<jwt>\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*)",
            // OpenAI / Anthropic style keys, Slack tokens, GitHub tokens, AWS access key ids
            "(?<key>\\b(?:sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}"
                    + "|gh[pousr]_[A-Za-z0-9]{30,}|AKIA[0-9A-Z]{16})\\b)",
            // Telegram bot tokens: <bot id>:<35 characters>, also inside a Bot API URL (/bot<token>/…)
            "(?<telegram>(?<![\\d:])\\d+:[A-Za-z0-9_-]{30,})",
            "(?<email>\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\\b)",
            "(?<phone>(?<![\\w+])\\+\\d(?:[ .()/-]{0,2}\\d){7,14}(?![\\w])"
                    + "|(?<![\\w.+-])\\(\\d{3}\\)\\s?\\d{3}[ .-]\\d{4}(?![\\w])"
                    + "|(?<![\\w.+-])\\d{3}[ .-]\\d{3}[ .-]\\d{4}(?![\\w.-]))"));

    private static volatile LogRedactor current = new LogRedactor(Set.of());

    /** Secret values, longest first, so a secret containing another is masked whole. */
    private final List<String> secrets;

    /**
     * A redactor that also masks {@code secrets} verbatim (values shorter than {@link #MIN_SECRET_LENGTH} are
     * ignored).
     */
    public LogRedactor(Collection<String> secrets) {
        Set<String> kept = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret != null && secret.strip().length() >= MIN_SECRET_LENGTH) {
                kept.add(secret);
                // as it appears inside a JSON log line
                kept.add(jsonEscaped(secret));
            }
        }
        List<String> sorted = new ArrayList<>(kept);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(sorted);
    }

    /** The redactor the log encoders use. */
    public static LogRedactor current() {
        return current;
    }

    /** Adds secret values to those the process-wide redactor masks (values already known stay masked). */
    public static synchronized void addSecrets(Collection<String> values) {
        Set<String> all = new LinkedHashSet<>(current.secrets);
        all.addAll(values);
        if (all.size() != current.secrets.size()) {
            current = new LogRedactor(all);
        }
    }

    /** How many secret values (with their JSON forms) this redactor masks. */
    public int secretCount() {
        return secrets.size();
    }

    /**
     * {@code line} with every sensitive part masked; the same instance when nothing needed masking, so callers can
     * tell cheaply.
     */
    public String redact(String line) {
        if (line == null || line.isEmpty()) {
            return line;
        }
        String out = line;
        for (String secret : secrets) {
            if (out.contains(secret)) {
                out = out.replace(secret, SECRET);
            }
        }
        Matcher m = SENSITIVE.matcher(out);
        if (!m.find()) {
            return out;
        }
        StringBuilder b = new StringBuilder(out.length());
        do {
            m.appendReplacement(b, Matcher.quoteReplacement(replacement(m)));
        } while (m.find());
        m.appendTail(b);
        return b.toString();
    }

    private static String replacement(Matcher m) {
        if (m.group("assign") != null) {
            return m.group("assign") + SECRET;
        }
        if (m.group("bearer") != null) {
            return m.group("bearer") + SECRET;
        }
        if (m.group("email") != null) {
            return EMAIL;
        }
        if (m.group("phone") != null) {
            return PHONE;
        }
        return SECRET;
    }

    private static String jsonEscaped(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
