package routes.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Model providers and the profiles that chain them ({@code caravan.models.*}). */
@ConfigurationProperties("caravan.models")
public class ModelProperties {

    /** The profile used when a message names none. */
    private String defaultProfile = "default";

    /** Providers by name: where a model is served and how to reach it. */
    private Map<String, Provider> providers = new LinkedHashMap<>();

    /** Profiles by name: an ordered chain of provider and model, with generation settings. */
    private Map<String, Profile> profiles = new LinkedHashMap<>();

    /** Threads that receive model answers and token streams; they never wait on a provider, so few serve many. */
    private int ioThreads = 8;

    public String getDefaultProfile() { return defaultProfile; }
    public void setDefaultProfile(String defaultProfile) { this.defaultProfile = defaultProfile; }
    public Map<String, Provider> getProviders() { return providers; }
    public void setProviders(Map<String, Provider> providers) { this.providers = providers; }
    public Map<String, Profile> getProfiles() { return profiles; }
    public int getIoThreads() { return ioThreads; }
    public void setIoThreads(int ioThreads) { this.ioThreads = ioThreads; }
    public void setProfiles(Map<String, Profile> profiles) { this.profiles = profiles; }

    /** One model provider endpoint. */
    public static class Provider {

        /**
         * Protocol: {@code openai} (any OpenAI-compatible server: OpenAI, vLLM, DeepSeek, Qwen, Ollama's /v1 …),
         * {@code anthropic} (Anthropic Messages API) or {@code ollama} (Ollama's native API).
         */
        private String type = "openai";

        /**
         * Base URL of the API; when unset, the public one of the type: https://api.openai.com/v1,
         * https://api.anthropic.com/v1, or a local Ollama at http://localhost:11434.
         */
        private String baseUrl;

        /** API key; empty for servers that need none. Never logged. */
        private String apiKey = "";

        /** Longest a whole model call may take, stream included. */
        private Duration timeout = Duration.ofSeconds(60);

        /** Longest to wait for a connection and for the answer's first bytes. */
        private Duration connectTimeout = Duration.ofSeconds(10);

        /**
         * Calls in flight to this provider at most, across all profiles; more wait (Camel throttle). As many as one
         * topic's consumer keeps in flight by default ({@code caravan.kafka.consumer.max-concurrency}): a lower cap
         * would bind first, at cap ÷ call time replies per second (512 calls of 10 s: 51 a second).
         */
        private int maxConcurrent = 2000;

        /** Retries of a failed call to this provider before the chain falls back. */
        private Retry retry = new Retry();

        /** When to stop calling this provider for a while. */
        private CircuitBreaker circuitBreaker = new CircuitBreaker();

        /** Anthropic only: the API version header. */
        private String anthropicVersion = "2023-06-01";

        public String getType() { return type; }
        public void setType(String type) { this.type = type; }
        public String getBaseUrl() {
            if (baseUrl != null && !baseUrl.isBlank()) {
                return baseUrl;
            }
            return switch (type == null ? "openai" : type.toLowerCase(java.util.Locale.ROOT)) {
                case "anthropic" -> "https://api.anthropic.com/v1";
                case "ollama" -> "http://localhost:11434";
                default -> "https://api.openai.com/v1";
            };
        }
        public void setBaseUrl(String baseUrl) { this.baseUrl = baseUrl; }
        public String getApiKey() { return apiKey; }
        public void setApiKey(String apiKey) { this.apiKey = apiKey; }
        public Duration getTimeout() { return timeout; }
        public void setTimeout(Duration timeout) { this.timeout = timeout; }
        public Duration getConnectTimeout() { return connectTimeout; }
        public void setConnectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; }
        public int getMaxConcurrent() { return maxConcurrent; }
        public void setMaxConcurrent(int maxConcurrent) { this.maxConcurrent = maxConcurrent; }
        public Retry getRetry() { return retry; }
        public void setRetry(Retry retry) { this.retry = retry; }
        public CircuitBreaker getCircuitBreaker() { return circuitBreaker; }
        public void setCircuitBreaker(CircuitBreaker circuitBreaker) { this.circuitBreaker = circuitBreaker; }
        public String getAnthropicVersion() { return anthropicVersion; }
        public void setAnthropicVersion(String anthropicVersion) { this.anthropicVersion = anthropicVersion; }

        /**
         * Whether the provider can be called: a key is set, or the base URL points at a server that needs none.
         * The public OpenAI and Anthropic endpoints without a key cannot answer, so those count as not configured.
         */
        public boolean isConfigured() {
            boolean hasKey = apiKey != null && !apiKey.isBlank();
            String url = getBaseUrl();
            return hasKey || (!url.contains("api.openai.com") && !url.contains("api.anthropic.com"));
        }

        @Override
        public String toString() {
            return "Provider[type=" + type + ", baseUrl=" + getBaseUrl() + ", apiKey=" + (apiKey == null || apiKey.isBlank()
                    ? "(none)" : "****") + ", timeout=" + timeout + "]";
        }
    }

    /** A named model profile. */
    public static class Profile {

        /** Provider and model to try, in order: the next is the fallback of the one before. */
        private List<Step> chain = new ArrayList<>();

        /** System prompt sent first; holds no secrets (a model may repeat it). */
        private String systemPrompt;

        /** Sampling temperature; provider default when unset. */
        private Double temperature;

        /** Upper bound of tokens in a reply; provider default when unset. */
        private Integer maxTokens;

        /** Short description shown by /v1/models and /help. */
        private String description;

        /** Answer repeated identical conversations from a Redis cache instead of calling the model (without tools). */
        private boolean cache;

        /** Offer the conversation's tools to the model; off for models that cannot call tools. */
        private boolean tools = true;

        /** How long a cached answer is kept. */
        private Duration cacheTtl = Duration.ofHours(1);

        public List<Step> getChain() { return chain; }
        public void setChain(List<Step> chain) { this.chain = chain; }
        public String getSystemPrompt() { return systemPrompt; }
        public void setSystemPrompt(String systemPrompt) { this.systemPrompt = systemPrompt; }
        public Double getTemperature() { return temperature; }
        public void setTemperature(Double temperature) { this.temperature = temperature; }
        public Integer getMaxTokens() { return maxTokens; }
        public void setMaxTokens(Integer maxTokens) { this.maxTokens = maxTokens; }
        public String getDescription() { return description; }
        public void setDescription(String description) { this.description = description; }
        public boolean isTools() { return tools; }
        public void setTools(boolean tools) { this.tools = tools; }
        public boolean isCache() { return cache; }
        public void setCache(boolean cache) { this.cache = cache; }
        public Duration getCacheTtl() { return cacheTtl; }
        public void setCacheTtl(Duration cacheTtl) { this.cacheTtl = cacheTtl; }
    }

    /**
     * One link of a profile's chain: a model served by one provider, or by several equivalent providers taken in
     * turn (round robin; one whose circuit is open is skipped).
     */
    public static class Step {

        /** Name of a provider under {@code caravan.models.providers}. */
        private String provider;

        /** Several equivalent providers serving the same model, used in turn. */
        private List<String> providers = new ArrayList<>();

        /** Model name as the provider knows it. */
        private String model;

        public String getProvider() { return provider; }
        public void setProvider(String provider) { this.provider = provider; }
        public List<String> getProviders() { return providers; }
        public void setProviders(List<String> providers) { this.providers = providers; }
        public String getModel() { return model; }
        public void setModel(String model) { this.model = model; }

        /** The providers of this link: {@code providers} when given, else the single {@code provider}. */
        public List<String> providerNames() {
            if (providers != null && !providers.isEmpty()) {
                return providers;
            }
            return provider == null ? List.of() : List.of(provider);
        }

        @Override
        public String toString() {
            return providerNames() + "/" + model;
        }
    }

    /** Retry of one provider: exponential backoff, at least what a 429's Retry-After asks. */
    public static class Retry {

        /** Calls in all, the first included; 1 turns retries off. */
        private int maxAttempts = 3;

        /** Wait before the first retry; doubles each time. */
        private Duration initialBackoff = Duration.ofMillis(500);

        /** Longest wait between two tries. */
        private Duration maxBackoff = Duration.ofSeconds(10);

        /** A Retry-After longer than this is not waited for: the chain falls back at once. */
        private Duration maxRetryAfter = Duration.ofSeconds(30);

        public int getMaxAttempts() { return maxAttempts; }
        public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
        public Duration getInitialBackoff() { return initialBackoff; }
        public void setInitialBackoff(Duration initialBackoff) { this.initialBackoff = initialBackoff; }
        public Duration getMaxBackoff() { return maxBackoff; }
        public void setMaxBackoff(Duration maxBackoff) { this.maxBackoff = maxBackoff; }
        public Duration getMaxRetryAfter() { return maxRetryAfter; }
        public void setMaxRetryAfter(Duration maxRetryAfter) { this.maxRetryAfter = maxRetryAfter; }
    }

    /** Circuit breaker of one provider. */
    public static class CircuitBreaker {

        /** Consecutive failed calls that open the circuit. */
        private int failureThreshold = 5;

        /** How long an open circuit refuses calls before one trial call is let through (half-open). */
        private Duration openDuration = Duration.ofSeconds(30);

        /** Trial calls in the half-open state; all must succeed to close the circuit. */
        private int halfOpenCalls = 1;

        public int getFailureThreshold() { return failureThreshold; }
        public void setFailureThreshold(int failureThreshold) { this.failureThreshold = failureThreshold; }
        public Duration getOpenDuration() { return openDuration; }
        public void setOpenDuration(Duration openDuration) { this.openDuration = openDuration; }
        public int getHalfOpenCalls() { return halfOpenCalls; }
        public void setHalfOpenCalls(int halfOpenCalls) { this.halfOpenCalls = halfOpenCalls; }
    }
}
