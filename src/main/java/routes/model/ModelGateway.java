package routes.model;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import routes.envelope.Turn;

/**
 * Calls the models of a profile's chain, streaming, without holding a thread while a provider thinks.
 *
 * <p>Every call streams, even when the client asked for a whole answer: it is the one path on which a reply
 * neither pins a thread nor hides its first tokens. A link of the chain that fails before it streamed anything
 * hands over to the next; once tokens went out, switching models would splice two answers, so that fails the call.
 */
@Component
public class ModelGateway implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ModelGateway.class);

    private final ModelProperties properties;
    private final ExecutorService ioExecutor;
    private final java.net.http.HttpClient httpClient;
    private final Map<String, StreamingChatModel> models = new ConcurrentHashMap<>();

    public ModelGateway(ModelProperties properties) {
        this.properties = properties;
        AtomicInteger n = new AtomicInteger();
        this.ioExecutor = Executors.newFixedThreadPool(Math.max(2, properties.getIoThreads()), r -> {
            Thread t = new Thread(r, "caravan-model-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.httpClient = NonBlockingHttpClientBuilder.newJdkClient(ioExecutor,
                java.time.Duration.ofSeconds(10));
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

    /**
     * Asks the profile's chain for a reply.
     *
     * @param profileName a profile, or {@code null} for the default
     * @param turns       the conversation, oldest first, ending with the new user message
     * @param onDelta     receives each token fragment as it arrives (on an I/O thread: hand it on, do not block)
     * @return the reply; fails with {@link ModelException}
     */
    public CompletableFuture<ModelReply> chat(String profileName, List<Turn> turns, Consumer<String> onDelta) {
        String name = profileName == null ? properties.getDefaultProfile() : profileName;
        ModelProperties.Profile profile = properties.getProfiles().get(name);
        if (profile == null) {
            return CompletableFuture.failedFuture(new ModelException(ModelException.UNKNOWN_PROFILE,
                    "The model profile '" + name + "' does not exist. Known profiles: " + profileNames() + ".", null));
        }
        List<ModelProperties.Step> callable = profile.getChain().stream()
                .filter(step -> {
                    ModelProperties.Provider p = properties.getProviders().get(step.getProvider());
                    return p != null && p.isConfigured();
                })
                .toList();
        if (callable.isEmpty()) {
            return CompletableFuture.failedFuture(new ModelException(ModelException.NOT_CONFIGURED,
                    "No model provider is configured, so I cannot answer yet. Set OPENAI_API_KEY (and "
                            + "OPENAI_BASE_URL for an OpenAI-compatible server such as Ollama or vLLM, and "
                            + "CARAVAN_MODEL for the model name), or configure caravan.models.providers, "
                            + "then restart Caravan.", null));
        }
        List<ChatMessage> messages = toMessages(profile, turns);
        CompletableFuture<ModelReply> result = new CompletableFuture<>();
        AtomicBoolean streamed = new AtomicBoolean();
        Consumer<String> guardedDelta = delta -> {
            streamed.set(true);
            onDelta.accept(delta);
        };
        attempt(callable, 0, profile, messages, guardedDelta, streamed, result, null);
        return result;
    }

    private void attempt(List<ModelProperties.Step> chain, int index, ModelProperties.Profile profile,
            List<ChatMessage> messages, Consumer<String> onDelta, AtomicBoolean streamed,
            CompletableFuture<ModelReply> result, Throwable previous) {
        if (index >= chain.size()) {
            result.completeExceptionally(failure(previous));
            return;
        }
        ModelProperties.Step step = chain.get(index);
        ModelProperties.Provider provider = properties.getProviders().get(step.getProvider());
        callOnce(step, provider, profile, messages, onDelta).whenComplete((reply, error) -> {
            if (error == null) {
                result.complete(reply);
                return;
            }
            Throwable cause = unwrap(error);
            if (index + 1 < chain.size() && !streamed.get()) {
                LOG.warn("model call failed, falling back: provider={} model={} error={}", step.getProvider(),
                        step.getModel(), describe(cause));
            }
            if (streamed.get()) {
                result.completeExceptionally(failure(cause));
            } else {
                attempt(chain, index + 1, profile, messages, onDelta, streamed, result, cause);
            }
        });
    }

    private CompletableFuture<ModelReply> callOnce(ModelProperties.Step step, ModelProperties.Provider provider,
            ModelProperties.Profile profile, List<ChatMessage> messages, Consumer<String> onDelta) {
        StreamingChatModel model = model(step, provider, profile);
        CompletableFuture<ModelReply> call = new CompletableFuture<>();
        AtomicReference<StreamingHandle> handle = new AtomicReference<>();
        try {
            model.chat(ChatRequest.builder().messages(messages).build(), new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                    handle.set(context.streamingHandle());
                    if (call.isDone()) {
                        context.streamingHandle().cancel();
                        return;
                    }
                    String text = partial.text();
                    if (text != null && !text.isEmpty()) {
                        onDelta.accept(text);
                    }
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    AiMessage ai = response.aiMessage();
                    TokenUsage usage = response.tokenUsage();
                    call.complete(new ModelReply(ai == null || ai.text() == null ? "" : ai.text(),
                            step.getProvider(), response.modelName() != null ? response.modelName() : step.getModel(),
                            usage == null ? null : usage.inputTokenCount(),
                            usage == null ? null : usage.outputTokenCount()));
                }

                @Override
                public void onError(Throwable error) {
                    call.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            call.completeExceptionally(e);
        }
        call.orTimeout(provider.getTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
            StreamingHandle h = handle.get();
            if (e != null && h != null && !h.isCancelled()) {
                h.cancel();
            }
        });
        return call;
    }

    private StreamingChatModel model(ModelProperties.Step step, ModelProperties.Provider provider,
            ModelProperties.Profile profile) {
        String key = step.getProvider() + "|" + step.getModel() + "|" + profile.getTemperature() + "|"
                + profile.getMaxTokens();
        return models.computeIfAbsent(key, k -> {
            if (!"openai".equalsIgnoreCase(provider.getType())) {
                throw new IllegalStateException("unsupported provider type '" + provider.getType() + "'");
            }
            return OpenAiStreamingChatModel.builder()
                    .httpClientBuilder(new NonBlockingHttpClientBuilder(httpClient))
                    .baseUrl(provider.getBaseUrl())
                    .apiKey(provider.getApiKey() == null || provider.getApiKey().isBlank()
                            ? "none" : provider.getApiKey())
                    .modelName(step.getModel())
                    .temperature(profile.getTemperature())
                    .maxTokens(profile.getMaxTokens())
                    .timeout(provider.getConnectTimeout())
                    .build();
        });
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
        if (cause instanceof java.util.concurrent.TimeoutException
                || cause instanceof dev.langchain4j.exception.TimeoutException) {
            return new ModelException(ModelException.TIMEOUT,
                    "The model took too long to answer. Please try again in a moment.", cause);
        }
        int status = httpStatus(cause);
        if (status == 401 || status == 403) {
            return new ModelException(ModelException.PROVIDER_ERROR,
                    "The model provider refused Caravan's credentials (HTTP " + status + "). Check the API key "
                            + "(OPENAI_API_KEY or caravan.models.providers.*.api-key).", cause);
        }
        return new ModelException(ModelException.PROVIDER_ERROR,
                "The model provider could not answer right now (" + describe(cause) + "). Please try again later.",
                cause);
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static int httpStatus(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                return http.statusCode();
            }
        }
        return 0;
    }

    /** A short, secret-free description of a provider failure. */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                return "HTTP " + http.statusCode();
            }
            if (t instanceof java.util.concurrent.TimeoutException
                    || t instanceof dev.langchain4j.exception.TimeoutException) {
                return "timeout";
            }
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (t instanceof java.io.IOException) {
                return "connection lost";
            }
        }
        return error == null ? "unknown error" : error.getClass().getSimpleName();
    }

    @Override
    public void destroy() {
        ioExecutor.shutdownNow();
    }
}
