package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelPropertiesTest {

    private static ModelProperties.Provider provider(String type, String apiKey) {
        var provider = new ModelProperties.Provider();
        provider.setType(type);
        provider.setApiKey(apiKey);
        return provider;
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
    void theKeyIsNeverPrinted() {
        assertThat(provider("anthropic", "sk-ant-secret").toString()).doesNotContain("sk-ant-secret");
    }
}
