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

        /** Protocol: {@code openai} (any OpenAI-compatible server: OpenAI, Ollama, vLLM, DeepSeek, Qwen …). */
        private String type = "openai";

        /** Base URL of the API, e.g. https://api.openai.com/v1. */
        private String baseUrl = "https://api.openai.com/v1";

        /** API key; empty for servers that need none. Never logged. */
        private String apiKey = "";

        /** Longest a whole model call may take, stream included. */
        private Duration timeout = Duration.ofSeconds(60);

        /** Longest to wait for a connection and for the answer's first bytes. */
        private Duration connectTimeout = Duration.ofSeconds(10);

        public String getType() { return type; }
        public void setType(String type) { this.type = type; }
        public String getBaseUrl() { return baseUrl; }
        public void setBaseUrl(String baseUrl) { this.baseUrl = baseUrl; }
        public String getApiKey() { return apiKey; }
        public void setApiKey(String apiKey) { this.apiKey = apiKey; }
        public Duration getTimeout() { return timeout; }
        public void setTimeout(Duration timeout) { this.timeout = timeout; }
        public Duration getConnectTimeout() { return connectTimeout; }
        public void setConnectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; }

        /**
         * Whether the provider can be called: a key is set, or the base URL points at a server that needs none.
         * The public OpenAI endpoint without a key cannot answer, so that one counts as not configured.
         */
        public boolean isConfigured() {
            boolean hasKey = apiKey != null && !apiKey.isBlank();
            return hasKey || (baseUrl != null && !baseUrl.isBlank() && !baseUrl.contains("api.openai.com"));
        }

        @Override
        public String toString() {
            return "Provider[type=" + type + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null || apiKey.isBlank()
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
    }

    /** One link of a profile's chain. */
    public static class Step {

        /** Name of a provider under {@code caravan.models.providers}. */
        private String provider;

        /** Model name as the provider knows it. */
        private String model;

        public String getProvider() { return provider; }
        public void setProvider(String provider) { this.provider = provider; }
        public String getModel() { return model; }
        public void setModel(String model) { this.model = model; }
    }
}
