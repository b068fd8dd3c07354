package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class ModelPropertiesTest {

    private static ModelProperties.Provider provider(String type, String apiKey) {
        var provider = new ModelProperties.Provider();
        provider.setType(type);
        provider.setApiKey(apiKey);
        return provider;
    }

    @Test
    void byDefaultAProviderTakesAsManyCallsAsAConsumerKeepsInFlight() {
        // a lower provider cap would bind first: with calls of 10 s, 512 of them are 51 replies a second
        assertThat(new ModelProperties.Provider().getMaxConcurrent())
                .isGreaterThanOrEqualTo(new routes.infra.KafkaProperties.Consumer().getMaxConcurrency());
    }

    @Test
    void aProviderWithoutBaseUrlUsesThePublicEndpointOfItsType() {
        assertThat(provider("openai", "k").getBaseUrl()).isEqualTo("https://api.openai.com/v1");
        assertThat(provider("anthropic", "k").getBaseUrl()).isEqualTo("https://api.anthropic.com/v1");
        assertThat(provider("ollama", "").getBaseUrl()).isEqualTo("http://localhost:11434");
    }

    @Test
    void aPublicEndpointWithoutKeyIsNotConfiguredButALocalOllamaIs() {
        assertThat(provider("openai", "").isConfigured()).isFalse();
        assertThat(provider("anthropic", "").isConfigured()).isFalse();
        assertThat(provider("anthropic", "sk-ant").isConfigured()).isTrue();
        assertThat(provider("ollama", "").isConfigured()).isTrue();
    }

    @Test
    void aSetBaseUrlWins() {
        var provider = provider("anthropic", "");
        provider.setBaseUrl("http://proxy.internal/anthropic/v1");
        assertThat(provider.getBaseUrl()).isEqualTo("http://proxy.internal/anthropic/v1");
        assertThat(provider.isConfigured()).isTrue();
    }

    @Test
    void theReadmesEnvironmentVariablesDefineAnthropicAndOllamaProviders() {
        // the name marks it as environment variables, so Spring maps them as it maps the real ones
        var environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("test-systemEnvironment", Map.of(
                "CARAVAN_MODELS_PROVIDERS_CLAUDE_TYPE", "anthropic",
                "CARAVAN_MODELS_PROVIDERS_CLAUDE_APIKEY", "sk-ant-x",
                "CARAVAN_MODELS_PROVIDERS_CLAUDE_ANTHROPICVERSION", "2023-06-01",
                "CARAVAN_MODELS_PROVIDERS_LLAMA_TYPE", "ollama",
                "CARAVAN_MODELS_PROVIDERS_LLAMA_BASEURL", "http://gpu-box:11434",
                "CARAVAN_MODELS_PROFILES_GENERAL_CHAIN_0_PROVIDER", "claude",
                "CARAVAN_MODELS_PROFILES_GENERAL_CHAIN_1_PROVIDER", "llama")));
        var models = new Binder(ConfigurationPropertySources.get(environment))
                .bind("caravan.models", ModelProperties.class).get();

        var claude = models.getProviders().get("claude");
        assertThat(claude.getType()).isEqualTo("anthropic");
        assertThat(claude.getApiKey()).isEqualTo("sk-ant-x");
        assertThat(claude.getBaseUrl()).isEqualTo("https://api.anthropic.com/v1");
        assertThat(models.getProviders().get("llama").getBaseUrl()).isEqualTo("http://gpu-box:11434");
        assertThat(models.getProfiles().get("general").getChain())
                .extracting(ModelProperties.Step::getProvider).containsExactly("claude", "llama");
    }

    @Test
    void theKeyIsNeverPrinted() {
        assertThat(provider("anthropic", "sk-ant-secret").toString()).doesNotContain("sk-ant-secret");
    }
}
