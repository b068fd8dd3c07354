package routes.model;

/**
 * A model's finished answer.
 *
 * @param text         the full reply text
 * @param provider     the provider that answered
 * @param model        the model that answered
 * @param inputTokens  prompt tokens, when the provider reported them
 * @param outputTokens completion tokens, when the provider reported them
 */
public record ModelReply(String text, String provider, String model, Integer inputTokens, Integer outputTokens) {
}
