package routes.pipeline;

import java.util.Locale;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import routes.channel.web.LimitsProperties;
import routes.envelope.Envelope;
import routes.model.ModelGateway;
import routes.model.ModelProperties;
import routes.model.ProfileOverrides;
import routes.model.RoutingHeaders;
import routes.model.UsageStore;

/**
 * The slash commands Caravan answers itself, without a model call: {@code /model} and {@code /usage}. Any other
 * text, other slash words included (e.g. {@code /code}, which a routing rule may use), goes on to the model.
 */
@Component
public class BuiltInCommands {

    private final ModelGateway models;
    private final ModelProperties modelProperties;
    private final ProfileOverrides overrides;
    private final UsageStore usage;
    private final LimitsProperties limits;

    public BuiltInCommands(ModelGateway models, ModelProperties modelProperties, ProfileOverrides overrides,
            UsageStore usage, LimitsProperties limits) {
        this.models = models;
        this.modelProperties = modelProperties;
        this.overrides = overrides;
        this.usage = usage;
        this.limits = limits;
    }

    /** Answers a built-in command by setting the reply; leaves anything else alone. */
    public void handle(Exchange exchange) {
        Envelope in = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        String command = RoutingHeaders.command(in.text());
        if (command == null) {
            return;
        }
        String argument = in.text().trim().replaceFirst("^\\S+\\s*", "").trim();
        String answer = switch (command) {
            case "/model" -> model(in, argument);
            case "/usage" -> usage(in);
            default -> null;
        };
        if (answer != null) {
            exchange.setProperty(PipelineConstants.REPLY, ModelCall.replyTo(in, answer, null)
                    .meta("command", command.substring(1)).build());
        }
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
            overrides.setForChat(in.channel(), in.chatId(), null);
            return "This conversation is back on the routing rules.";
        }
        if (!models.hasProfile(argument)) {
            return "There is no profile called " + argument + ". Profiles: "
                    + String.join(", ", models.profileNames()) + ".";
        }
        overrides.setForChat(in.channel(), in.chatId(), argument);
        return "This conversation now uses the profile " + argument + ".";
    }

    private String usage(Envelope in) {
        UsageStore.Usage today = usage.today(in.channel(), Guards.user(in));
        String text = "Today (UTC) you sent " + today.requests() + " message" + (today.requests() == 1 ? "" : "s")
                + " to the model, using " + today.tokens() + " tokens (" + today.inputTokens() + " in, "
                + today.outputTokens() + " out).";
        long budget = limits.getDailyTokensPerUser();
        if (budget > 0) {
            text += " Your daily budget is " + budget + " tokens; " + Math.max(0, budget - today.tokens())
                    + " left.";
        }
        return text;
    }
}
