package routes.model;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.envelope.Turn;
import routes.infra.AsyncProducers;

/**
 * Calls the models of a profile's chain, streaming, without holding a thread while a provider thinks.
 *
 * <p>Every call streams, even when the client asked for a whole answer: it is the one path on which a reply
 * neither pins a thread nor hides its first tokens. Each call of a provider goes through the provider route
 * ({@link ProviderRoutes}: concurrency cap, circuit breaker, retries). A link of the chain that still fails before
 * it streamed anything hands over to the next; a link served by several equivalent providers takes them in turn.
 * Once tokens went out, switching models would splice two answers, so that fails the call.
 */
@Component
public class ModelGateway {

    private static final Logger LOG = LoggerFactory.getLogger(ModelGateway.class);

    private final ModelProperties properties;
    private final CamelContext camel;
    private final AsyncProducers producers;
    private final Map<String, AtomicInteger> rotations = new ConcurrentHashMap<>();

    public ModelGateway(ModelProperties properties, AsyncProducers producers) {
        this.properties = properties;
        this.camel = producers == null ? null : producers.camel();
        this.producers = producers;
    }

    /** Names of the profiles a message may choose. */
    public List<String> profileNames() {
        return List.copyOf(properties.getProfiles().keySet());
    }

    public boolean hasProfile(String name) {
        return properties.getProfiles().containsKey(name);
    }

    public String defaultProfile() {
        return properties.getDefaultProfile();
    }

    /** One provider and model to try. */
    record Target(String providerName, ModelProperties.Provider provider, String model) {
    }

    /**
     * Asks the profile's chain for a reply.
     *
     * @param profileName a profile, or {@code null} for the default
     * @param turns       the conversation, oldest first, ending with the new user message
     * @param onDelta     receives each token fragment as it arrives (on an I/O thread: hand it on, do not block);
     *                    {@code null} when nobody is shown fragments, so a call cut short half-way may still be
     *                    retried or replaced by the next link of the chain
     * @return the reply; fails with {@link ModelException}
     */
    public CompletableFuture<ModelReply> chat(String profileName, List<Turn> turns, Consumer<String> onDelta) {
        return chat(profileName, turns, onDelta, ToolBox.NONE);
    }

    /**
     * Asks the profile's chain for a reply, letting the model call tools: each time it asks for tools they run and
     * their results go back to it, up to {@link ToolBox#maxSteps()} model calls; the last call offers no tools, so
     * the model must answer. A tool that needs the person's confirmation ends the loop with the question.
     */
    public CompletableFuture<ModelReply> chat(String profileName, List<Turn> turns, Consumer<String> onDelta,
            ToolBox tools) {
        String name = profileName == null ? properties.getDefaultProfile() : profileName;
        ModelProperties.Profile profile = properties.getProfiles().get(name);
        if (profile == null) {
            return CompletableFuture.failedFuture(new ModelException(ModelException.UNKNOWN_PROFILE,
                    "The model profile '" + name + "' does not exist. Known profiles: " + profileNames() + ".", null));
        }
        List<Target> targets = targets(name, profile);
        if (targets.isEmpty()) {
            return CompletableFuture.failedFuture(new ModelException(ModelException.NOT_CONFIGURED,
                    "No model provider is configured, so I cannot answer yet. Set OPENAI_API_KEY (and "
                            + "OPENAI_BASE_URL for an OpenAI-compatible server such as Ollama or vLLM, and "
                            + "CARAVAN_MODEL for the model name), or configure caravan.models.providers, "
                            + "then restart Caravan.", null));
        }
        List<ChatMessage> messages = toMessages(profile, turns);
        CompletableFuture<ModelReply> result = new CompletableFuture<>();
        step(targets, profile, messages, onDelta, tools == null ? ToolBox.NONE : tools, 1, 0, 0, result);
        return result;
    }

    private void step(List<Target> targets, ModelProperties.Profile profile, List<ChatMessage> messages,
            Consumer<String> onDelta, ToolBox tools, int stepNo, int inputSoFar, int outputSoFar,
            CompletableFuture<ModelReply> result) {
        List<dev.langchain4j.agent.tool.ToolSpecification> offered = stepNo < Math.max(1, tools.maxSteps())
                ? tools.specifications() : List.of();
        CompletableFuture<ModelReply> call = new CompletableFuture<>();
        attempt(targets, 0, profile, messages, onDelta, new AtomicBoolean(), call, null, offered);
        call.whenComplete((reply, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            int input = inputSoFar + (reply.inputTokens() == null ? 0 : reply.inputTokens());
            int output = outputSoFar + (reply.outputTokens() == null ? 0 : reply.outputTokens());
            if (!reply.wantsTools() || offered.isEmpty()) {
                result.complete(new ModelReply(reply.text(), reply.provider(), reply.model(), input, output));
                return;
            }
            for (dev.langchain4j.agent.tool.ToolExecutionRequest request : reply.toolRequests()) {
                String question = tools.confirmation(request);
                if (question != null) {
                    result.complete(new ModelReply(question, reply.provider(), reply.model(), input, output));
                    return;
                }
            }
            List<ChatMessage> next = new ArrayList<>(messages);
            next.add(reply.text() == null || reply.text().isEmpty()
                    ? AiMessage.from(reply.toolRequests()) : AiMessage.from(reply.text(), reply.toolRequests()));
            runAll(tools, reply.toolRequests(), 0, next).whenComplete((done, toolError) -> {
                if (toolError != null) {
                    result.completeExceptionally(toolError);
                } else {
                    step(targets, profile, done, onDelta, tools, stepNo + 1, input, output, result);
                }
            });
        });
    }

    /** Runs the requested tools one after another, adding each result to the conversation. */
    private static CompletableFuture<List<ChatMessage>> runAll(ToolBox tools,
            List<dev.langchain4j.agent.tool.ToolExecutionRequest> requests, int index, List<ChatMessage> messages) {
        if (index >= requests.size()) {
            return CompletableFuture.completedFuture(messages);
        }
        dev.langchain4j.agent.tool.ToolExecutionRequest request = requests.get(index);
        return tools.run(request)
                .exceptionally(e -> "error: the tool failed (" + ProviderFailures.describe(unwrap(e)) + ")")
                .thenCompose(text -> {
                    messages.add(dev.langchain4j.data.message.ToolExecutionResultMessage.from(request, text));
                    return runAll(tools, requests, index + 1, messages);
                });
    }

    /** The providers to try for a profile, in order: each link's providers, rotated for round robin. */
    private List<Target> targets(String profileName, ModelProperties.Profile profile) {
        List<Target> targets = new ArrayList<>();
        List<ModelProperties.Step> chain = profile.getChain();
        for (int i = 0; i < chain.size(); i++) {
            ModelProperties.Step step = chain.get(i);
            List<String> names = step.providerNames().stream()
                    .filter(n -> {
                        ModelProperties.Provider p = properties.getProviders().get(n);
                        return p != null && p.isConfigured();
                    })
                    .toList();
            if (names.isEmpty()) {
                continue;
            }
            int start = names.size() == 1 ? 0 : Math.floorMod(
                    rotations.computeIfAbsent(profileName + "#" + i, k -> new AtomicInteger()).getAndIncrement(),
                    names.size());
            for (int k = 0; k < names.size(); k++) {
                String n = names.get((start + k) % names.size());
                targets.add(new Target(n, properties.getProviders().get(n), step.getModel()));
            }
        }
        return targets;
    }

    private void attempt(List<Target> targets, int index, ModelProperties.Profile profile, List<ChatMessage> messages,
            Consumer<String> onDelta, AtomicBoolean streamed, CompletableFuture<ModelReply> result,
            Throwable previous, List<dev.langchain4j.agent.tool.ToolSpecification> tools) {
        if (index >= targets.size()) {
            result.completeExceptionally(failure(previous));
            return;
        }
        Target target = targets.get(index);
        callProvider(new ProviderCall(target.providerName(), target.provider(), target.model(), profile, messages,
                onDelta, streamed, tools)).whenComplete((reply, error) -> {
                    if (error == null) {
                        result.complete(reply);
                        return;
                    }
                    Throwable cause = unwrap(error);
                    if (streamed.get()) {
                        result.completeExceptionally(failure(cause));
                        return;
                    }
                    if (index + 1 < targets.size()) {
                        LOG.warn("model call failed, falling back: provider={} model={} error={}",
                                target.providerName(), target.model(), ProviderFailures.describe(cause));
                    }
                    attempt(targets, index + 1, profile, messages, onDelta, streamed, result, cause, tools);
                });
    }

    /** One call of one provider through the provider route, without waiting for it. */
    private CompletableFuture<ModelReply> callProvider(ProviderCall call) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(call);
        exchange.getMessage().setHeader(ProviderRoutes.PROVIDER, call.providerName());
        exchange.getMessage().setHeader(ProviderRoutes.MAX_CONCURRENT, Math.max(1, call.provider().getMaxConcurrent()));
        return producers.of(ProviderRoutes.ENDPOINT).processAsync(exchange).thenCompose(done -> done.getException() != null
                ? CompletableFuture.failedFuture(done.getException())
                : CompletableFuture.completedFuture(done.getMessage().getBody(ModelReply.class)));
    }

    private static List<ChatMessage> toMessages(ModelProperties.Profile profile, List<Turn> turns) {
        List<ChatMessage> messages = new ArrayList<>(turns.size() + 1);
        if (profile.getSystemPrompt() != null && !profile.getSystemPrompt().isBlank()) {
            messages.add(SystemMessage.from(profile.getSystemPrompt()));
        }
        for (Turn turn : turns) {
            String text = turn.text() == null ? "" : turn.text();
            switch (turn.role()) {
                case "system" -> messages.add(SystemMessage.from(text));
                case "assistant" -> messages.add(AiMessage.from(text));
                default -> messages.add(UserMessage.from(text));
            }
        }
        return messages;
    }

    private static ModelException failure(Throwable cause) {
        if (cause instanceof ModelException me) {
            return me;
        }
        if (ProviderFailures.isTimeout(cause)) {
            return new ModelException(ModelException.TIMEOUT,
                    "The model took too long to answer. Please try again in a moment.", cause);
        }
        int status = ProviderFailures.httpStatus(cause);
        if (status == 401 || status == 403) {
            return new ModelException(ModelException.PROVIDER_ERROR,
                    "The model provider refused Caravan's credentials (HTTP " + status + "). Check the API key "
                            + "(OPENAI_API_KEY or caravan.models.providers.*.api-key).", cause);
        }
        return new ModelException(ModelException.PROVIDER_ERROR,
                "The model provider could not answer right now (" + ProviderFailures.describe(cause)
                        + "). Please try again later.", cause);
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A short, secret-free description of a provider failure. */
    static String describe(Throwable error) {
        return ProviderFailures.describe(error);
    }
}
