package routes.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.AsyncProcessorSupport;
import org.springframework.stereotype.Component;
import routes.channel.web.LimitsProperties;
import routes.envelope.Envelope;
import routes.envelope.Turn;
import routes.infra.InstanceIdentity;
import routes.model.ModelGateway;
import routes.model.ModelProperties;
import routes.model.ProfileOverrides;
import routes.model.RoutingHeaders;
import routes.model.UsageStore;
import routes.ops.AuditLog;
import routes.schedule.Reminders;
import routes.schedule.ScheduleProperties;
import routes.schedule.When;
import routes.security.Erasure;
import routes.tools.PendingConfirmations;
import routes.tools.ToolDefinition;
import routes.tools.ToolRegistry;
import routes.tools.ToolRunner;

/**
 * The slash commands, answered before the model and never shown to it: the built-in ones and those an integrator
 * declares in YAML ({@link CommandDefinition}). A slash word that is no command (e.g. {@code /code}, which a routing
 * rule may use) goes on to the model.
 */
@Component
public class BuiltInCommands extends AsyncProcessorSupport {

    /** The built-in commands and their /help lines. */
    static final Map<String, String> BUILT_IN = new java.util.LinkedHashMap<>();

    static {
        BUILT_IN.put("help", "/help — what I can do");
        BUILT_IN.put("new", "/new — start a fresh conversation (forget the history)");
        BUILT_IN.put("reset", "/reset — fresh conversation and back to the routing rules");
        BUILT_IN.put("model", "/model [profile|auto] — show or switch the model profile of this conversation");
        BUILT_IN.put("status", "/status — model profile, history size, instance");
        BUILT_IN.put("usage", "/usage — what you used today");
        BUILT_IN.put("remind", "/remind <when> <text> — remind you later (10m, in 2h, 18:30 UTC, 2026-12-24T09:00)");
        BUILT_IN.put("tools", "/tools — the tools I may use here");
        BUILT_IN.put("confirm", "/confirm — run the tool I asked about");
        BUILT_IN.put("cancel", "/cancel — do not run it");
        BUILT_IN.put("forget", "/forget — erase what I keep about you and your conversations");
    }

    private final ModelGateway models;
    private final ModelProperties modelProperties;
    private final ProfileOverrides overrides;
    private final UsageStore usage;
    private final LimitsProperties limits;
    private final SessionStore sessions;
    private final InstanceIdentity identity;
    private final ToolRegistry tools;
    private final ToolRunner toolRunner;
    private final PendingConfirmations pending;
    private final CamelContext camel;
    private final Reminders reminders;
    private final ScheduleProperties schedule;
    private final Erasure erasure;
    private final AuditLog audit;
    private volatile ProducerTemplate producer;

    public BuiltInCommands(ModelGateway models, ModelProperties modelProperties, ProfileOverrides overrides,
            UsageStore usage, LimitsProperties limits, SessionStore sessions, InstanceIdentity identity,
            ToolRegistry tools, ToolRunner toolRunner, PendingConfirmations pending, CamelContext camel,
            Reminders reminders, ScheduleProperties schedule, Erasure erasure, AuditLog audit) {
        this.models = models;
        this.modelProperties = modelProperties;
        this.overrides = overrides;
        this.usage = usage;
        this.limits = limits;
        this.sessions = sessions;
        this.identity = identity;
        this.tools = tools;
        this.toolRunner = toolRunner;
        this.pending = pending;
        this.camel = camel;
        this.reminders = reminders;
        this.schedule = schedule;
        this.erasure = erasure;
        this.audit = audit;
    }

    /** Answers a command by setting the reply; leaves anything else alone. */
    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Envelope in = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        String command = RoutingHeaders.command(in.text());
        if (command == null) {
            callback.done(true);
            return true;
        }
        String name = command.substring(1);
        String argument = in.text().trim().replaceFirst("^\\S+\\s*", "").trim();
        if (name.equals("confirm")) {
            return confirm(exchange, in, callback);
        }
        try {
            String answer = switch (name) {
                case "help" -> help();
                case "new" -> {
                    sessions.clear(in.channel(), in.chatId());
                    yield "Fresh start: I forgot our conversation so far.";
                }
                case "reset" -> {
                    sessions.clear(in.channel(), in.chatId());
                    switchProfile(in, null);
                    pending.take(in);
                    yield "Reset: fresh conversation, and the model profile follows the routing rules again.";
                }
                case "model" -> model(in, argument);
                case "status" -> status(in);
                case "usage" -> usage(in);
                case "tools" -> tools(in);
                case "remind" -> remind(in, argument);
                case "cancel" -> pending.take(in) != null ? "Cancelled: the tool did not run."
                        : "There is nothing waiting to be confirmed.";
                case "forget" -> forget(in);
                default -> custom(exchange, in, name, argument);
            };
            if (answer != null) {
                exchange.setProperty(PipelineConstants.REPLY, ModelCall.replyTo(in, answer, null)
                        .meta("command", name).build());
            }
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
        callback.done(true);
        return true;
    }

    /** Runs the tool call waiting for confirmation; its result goes on to the model, which answers. */
    private boolean confirm(Exchange exchange, Envelope in, AsyncCallback callback) {
        PendingConfirmations.Pending waiting = pending.take(in);
        if (waiting == null) {
            exchange.setProperty(PipelineConstants.REPLY, ModelCall.replyTo(in,
                    "There is nothing waiting to be confirmed.", null).meta("command", "confirm").build());
            callback.done(true);
            return true;
        }
        toolRunner.run(in, waiting.tool(), waiting.arguments()).whenComplete((result, error) -> {
            String text = error != null ? "error: the tool failed" : result;
            Envelope asked = in.toBuilder().text("I confirmed running the tool " + waiting.tool() + ". Its result:\n"
                    + text + "\nPlease answer my earlier request with it.").build();
            exchange.setProperty(PipelineConstants.INBOUND, asked);
            callback.done(false);
        });
        return false;
    }

    private String help() {
        StringBuilder b = new StringBuilder("Commands:");
        BUILT_IN.values().forEach(line -> b.append("\n").append(line));
        custom().forEach((name, c) -> b.append("\n").append(c.getDescription() != null ? c.getDescription()
                : "/" + name));
        b.append("\nAnything else goes to the assistant.");
        return b.toString();
    }

    private Map<String, CommandDefinition> custom() {
        Map<String, CommandDefinition> byName = new TreeMap<>();
        for (CommandDefinition c : camel.getRegistry().findByType(CommandDefinition.class)) {
            if (c.getName() != null && !BUILT_IN.containsKey(c.getName().toLowerCase(Locale.ROOT))) {
                byName.putIfAbsent(c.getName().toLowerCase(Locale.ROOT), c);
            }
        }
        return byName;
    }

    /** A command declared in YAML: its route answers. Not a command at all: null, and the model answers. */
    private String custom(Exchange exchange, Envelope in, String name, String argument) {
        CommandDefinition command = custom().get(name);
        if (command == null) {
            return null;
        }
        Exchange result = producer().request(command.getEndpoint(), e -> {
            RoutingHeaders.describe(in, e.getMessage());
            e.getMessage().setBody(argument);
        });
        if (result.getException() != null) {
            throw new IllegalStateException("the command /" + name + " failed", result.getException());
        }
        String answer = result.getMessage().getBody(String.class);
        return answer == null || answer.isBlank() ? "Done." : answer;
    }

    private ProducerTemplate producer() {
        ProducerTemplate p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = camel.createProducerTemplate();
                }
                p = producer;
            }
        }
        return p;
    }

    private String model(Envelope in, String argument) {
        String chosen = overrides.forChat(in.channel(), in.chatId());
        if (argument.isEmpty()) {
            StringBuilder b = new StringBuilder();
            b.append(chosen != null ? "This conversation uses the profile " + chosen + "."
                    : "This conversation uses the routing rules (default profile " + models.defaultProfile() + ").");
            b.append("\nProfiles:");
            modelProperties.getProfiles().forEach((name, profile) -> b.append("\n- ").append(name)
                    .append(profile.getDescription() == null ? "" : ": " + profile.getDescription()));
            b.append("\nSwitch with /model <profile>; back to the rules with /model auto.");
            return b.toString();
        }
        String wanted = argument.toLowerCase(Locale.ROOT);
        if (wanted.equals("auto") || wanted.equals("reset")) {
            switchProfile(in, null);
            return "This conversation is back on the routing rules.";
        }
        if (!models.hasProfile(argument)) {
            return "There is no profile called " + argument + ". Profiles: "
                    + String.join(", ", models.profileNames()) + ".";
        }
        switchProfile(in, argument);
        return "This conversation now uses the profile " + argument + ".";
    }

    /** Switches the conversation's profile (null: back to the routing rules), audited when it changes. */
    private void switchProfile(Envelope in, String profile) {
        String before = overrides.forChat(in.channel(), in.chatId());
        overrides.setForChat(in.channel(), in.chatId(), profile);
        if (!Objects.equals(before, profile)) {
            String user = in.channel() + ":" + Guards.user(in);
            audit.record("model.switched", user, AuditLog.payload("profile", profile == null ? "auto" : profile,
                    "previous", before == null ? "auto" : before, "scope", "chat",
                    "chat", in.channel() + ":" + in.chatId(), "by", user));
        }
    }

    private String status(Envelope in) {
        String chat = overrides.forChat(in.channel(), in.chatId());
        String global = overrides.global();
        String profile = chat != null ? chat + " (switched for this conversation)"
                : global != null ? global + " (switched for everyone)"
                : "chosen by the routing rules (default " + models.defaultProfile() + ")";
        List<Turn> history = sessions.history(in.channel(), in.chatId());
        return "Model profile: " + profile + "\nHistory: " + history.size() + " turn"
                + (history.size() == 1 ? "" : "s") + " kept\nInstance: " + identity.id();
    }

    private String usage(Envelope in) {
        UsageStore.Usage today = usage.today(in.channel(), Guards.user(in));
        String text = "Today (UTC) you sent " + today.requests() + " message" + (today.requests() == 1 ? "" : "s")
                + " to the model, using " + today.tokens() + " tokens (" + today.inputTokens() + " in, "
                + today.outputTokens() + " out).";
        long budget = limits.dailyTokensPerUser(in.channel());
        if (budget > 0) {
            text += " Your daily budget is " + budget + " tokens; " + Math.max(0, budget - today.tokens())
                    + " left.";
        }
        return text;
    }

    private String remind(Envelope in, String argument) {
        When.Parsed when = argument.isEmpty() ? null : When.parse(argument, java.time.Instant.now());
        if (when == null || when.text().isBlank()) {
            return "Tell me when and what, e.g. /remind 10m stretch your legs, /remind 18:30 call Sam (UTC), "
                    + "/remind 2026-12-24T09:00 wrap the presents.";
        }
        java.time.Instant now = java.time.Instant.now();
        if (when.at().isAfter(now.plus(schedule.getMaxAhead()))) {
            return "That is too far ahead; I keep reminders for up to " + schedule.getMaxAhead().toDays() + " days.";
        }
        if (reminders.waiting(in) >= schedule.getMaxPerChat()) {
            return "You already have " + schedule.getMaxPerChat() + " reminders waiting here; that is the most I keep.";
        }
        // a time already past is due at once (and the far past has no place on the due-time scale)
        java.time.Instant at = when.at().isBefore(now) ? now : when.at();
        reminders.add(in, at, when.text());
        return "I will remind you at " + at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " (UTC): " + when.text();
    }

    private String tools(Envelope in) {
        List<ToolDefinition> allowed = tools.allowed(in);
        if (allowed.isEmpty()) {
            return "I have no tools in this conversation.";
        }
        StringBuilder b = new StringBuilder("Tools I may use here:");
        for (ToolDefinition t : allowed) {
            b.append("\n- ").append(t.getName()).append(": ").append(t.getDescription())
                    .append(t.isConfirm() ? " (asks you first)" : "");
        }
        return b.toString();
    }

    /** Erases what is kept about the sender (this conversation included), audited with the sender as actor. */
    private String forget(Envelope in) {
        String user = Guards.user(in);
        erasure.erase(in.channel(), user, in.channel() + ":" + user, List.of(in.chatId()));
        return "Done: I erased what I keep about you: the history of this and your other conversations with me, "
                + "their settings, your reminders and your usage counters. Records already on the operator's usage "
                + "and audit logs are kept for their retention period.";
    }
}
