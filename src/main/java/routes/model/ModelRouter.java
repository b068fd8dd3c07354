package routes.model;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;

/**
 * Chooses the model profile of a message, around the integrator's routing rules.
 *
 * <p>In order: a profile the message itself names (the OpenAI API's {@code model}), a profile switched on for the
 * conversation ({@code /model}), one switched on for everyone (admin API), then the routing rules in YAML
 * ({@code direct:model-routing}, which set {@link RoutingHeaders#PROFILE}), then the default profile. A rule that
 * names a profile that does not exist falls back to the default, with a warning.
 */
@Component
public class ModelRouter {

    /** Exchange property: the chosen profile. */
    public static final String CHOSEN = "CaravanChosenProfile";
    /** Exchange property: where the choice came from (message, chat, global, rule, default). */
    public static final String CHOSEN_BY = "CaravanChosenBy";
    /** The endpoint of the routing rules; absent rules mean the default profile. */
    public static final String RULES = "direct:model-routing?block=false&failIfNoConsumers=false";

    private static final Logger LOG = LoggerFactory.getLogger(ModelRouter.class);

    private final ModelProperties models;
    private final ProfileOverrides overrides;
    private final IntentClassifier classifier;

    public ModelRouter(ModelProperties models, ProfileOverrides overrides, IntentClassifier classifier) {
        this.models = models;
        this.overrides = overrides;
        this.classifier = classifier;
    }

    /**
     * Before the rules: takes a profile named by the message or switched on by hand; otherwise describes the
     * message in the routing headers for the rules.
     *
     * @param pinnedProfile the profile the message names, or null
     */
    public void prepare(Exchange exchange, Envelope message, String pinnedProfile) {
        if (pinnedProfile != null) {
            choose(exchange, pinnedProfile, "message");
            return;
        }
        String switched = overrides.effective(message.channel(), message.chatId());
        if (switched != null && models.getProfiles().containsKey(switched)) {
            choose(exchange, switched, overrides.forChat(message.channel(), message.chatId()) != null
                    ? "chat" : "global");
            return;
        }
        RoutingHeaders.describe(message, exchange.getMessage());
        exchange.getMessage().setHeader(RoutingHeaders.INTENT, classifier.classify(message.text()));
        exchange.getMessage().removeHeader(RoutingHeaders.PROFILE);
    }

    /** After the rules: takes the profile they set, or the default. */
    public void afterRules(Exchange exchange) {
        if (exchange.getProperty(CHOSEN) != null) {
            return;
        }
        String ruled = exchange.getMessage().getHeader(RoutingHeaders.PROFILE, String.class);
        if (ruled != null && !ruled.isBlank()) {
            if (models.getProfiles().containsKey(ruled)) {
                choose(exchange, ruled, "rule");
                return;
            }
            LOG.warn("a routing rule chose the profile '{}', which does not exist; using '{}'", ruled,
                    models.getDefaultProfile());
        }
        choose(exchange, models.getDefaultProfile(), "default");
    }

    /** Whether the profile is still to be chosen by the rules. */
    public static boolean undecided(Exchange exchange) {
        return exchange.getProperty(CHOSEN) == null;
    }

    private static void choose(Exchange exchange, String profile, String by) {
        exchange.setProperty(CHOSEN, profile);
        exchange.setProperty(CHOSEN_BY, by);
    }
}
