package routes.model;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One call of one provider, as the body of an exchange on the provider route.
 *
 * @param providerName the provider's name under {@code caravan.models.providers}
 * @param provider     its settings
 * @param model        the model name as the provider knows it
 * @param profile      the profile whose generation settings apply
 * @param messages     the conversation sent
 * @param onDelta      receives each token fragment (on an I/O thread)
 * @param streamed     set once any fragment went out: from then on the call may not be retried or replaced
 * @param tools        the tools the model may ask for (empty: none)
 */
public record ProviderCall(String providerName, ModelProperties.Provider provider, String model,
        ModelProperties.Profile profile, List<ChatMessage> messages, Consumer<String> onDelta,
        AtomicBoolean streamed, List<ToolSpecification> tools) {

    public ProviderCall {
        tools = tools == null ? List.of() : tools;
    }
}
