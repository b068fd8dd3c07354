package routes.model;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import java.util.List;

/**
 * A model's finished answer.
 *
 * @param text         the full reply text
 * @param provider     the provider that answered
 * @param model        the model that answered
 * @param inputTokens  prompt tokens, when the provider reported them
 * @param outputTokens completion tokens, when the provider reported them
 * @param toolRequests tools the model asked to run before it answers (empty for a final answer)
 */
public record ModelReply(String text, String provider, String model, Integer inputTokens, Integer outputTokens,
        List<ToolExecutionRequest> toolRequests) {

    public ModelReply {
        toolRequests = toolRequests == null ? List.of() : List.copyOf(toolRequests);
    }

    public ModelReply(String text, String provider, String model, Integer inputTokens, Integer outputTokens) {
        this(text, provider, model, inputTokens, outputTokens, List.of());
    }

    /** Whether the model asked for tools instead of answering. */
    public boolean wantsTools() {
        return !toolRequests.isEmpty();
    }
}
