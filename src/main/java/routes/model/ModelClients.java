package routes.model;

import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The LangChain4j streaming models Caravan talks to, one per provider, model and generation settings.
 *
 * <p>All of them share one non-blocking HTTP client whose few I/O threads only hand bytes on, so thousands of calls
 * in flight hold no thread each.
 */
@Component
public class ModelClients implements DisposableBean {

    /** Anthropic needs an upper bound of reply tokens on every call; used when a profile sets none. */
    static final int ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

    private final ExecutorService ioExecutor;
    private final HttpClient httpClient;
    private final Map<String, StreamingChatModel> models = new ConcurrentHashMap<>();

    public ModelClients(ModelProperties properties) {
        AtomicInteger n = new AtomicInteger();
        this.ioExecutor = Executors.newFixedThreadPool(Math.max(2, properties.getIoThreads()), r -> {
            Thread t = new Thread(r, "caravan-model-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.httpClient = NonBlockingHttpClientBuilder.newJdkClient(ioExecutor, Duration.ofSeconds(10));
    }

    /** The model {@code model} of {@code provider}, with the profile's generation settings. */
    public StreamingChatModel model(String providerName, ModelProperties.Provider provider, String model,
            ModelProperties.Profile profile) {
        String key = providerName + "|" + model + "|" + profile.getTemperature() + "|" + profile.getMaxTokens();
        return models.computeIfAbsent(key, k -> create(provider, model, profile));
    }

    private StreamingChatModel create(ModelProperties.Provider provider, String model,
            ModelProperties.Profile profile) {
        String type = provider.getType() == null ? "openai" : provider.getType().toLowerCase(Locale.ROOT);
        NonBlockingHttpClientBuilder http = new NonBlockingHttpClientBuilder(httpClient);
        return switch (type) {
            case "openai" -> OpenAiStreamingChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(provider.getBaseUrl())
                    .apiKey(hasKey(provider) ? provider.getApiKey() : "none")
                    .modelName(model)
                    .temperature(profile.getTemperature())
                    .maxTokens(profile.getMaxTokens())
                    .timeout(provider.getConnectTimeout())
                    .build();
            case "anthropic" -> AnthropicStreamingChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(provider.getBaseUrl())
                    .apiKey(hasKey(provider) ? provider.getApiKey() : "none")
                    .version(provider.getAnthropicVersion())
                    .modelName(model)
                    .temperature(profile.getTemperature())
                    .maxTokens(profile.getMaxTokens() == null ? ANTHROPIC_DEFAULT_MAX_TOKENS : profile.getMaxTokens())
                    .timeout(provider.getConnectTimeout())
                    .build();
            case "ollama" -> OllamaStreamingChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(provider.getBaseUrl())
                    .modelName(model)
                    .temperature(profile.getTemperature())
                    .numPredict(profile.getMaxTokens())
                    .timeout(provider.getConnectTimeout())
                    .build();
            default -> throw new ModelException(ModelException.PROVIDER_ERROR,
                    "The model provider type '" + provider.getType() + "' is not supported (use openai, anthropic "
                            + "or ollama).", null);
        };
    }

    private static boolean hasKey(ModelProperties.Provider provider) {
        return provider.getApiKey() != null && !provider.getApiKey().isBlank();
    }

    @Override
    public void destroy() {
        ioExecutor.shutdownNow();
    }
}
