package routes.tools.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool's input object. The caller has checked it against the tool's schema; the accessors still check the types
 * they read, so a tool called some other way gets a clear message rather than a wrong value.
 */
public final class ToolInput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode node;

    private ToolInput(JsonNode node) {
        this.node = node;
    }

    /** Parses the tool input; an empty body counts as {@code {}}. */
    public static ToolInput parse(String json) {
        if (json == null || json.isBlank()) {
            return new ToolInput(JSON.createObjectNode());
        }
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new InvalidToolInputException("the input is not a JSON object");
            }
            return new ToolInput(node);
        } catch (JsonProcessingException e) {
            throw new InvalidToolInputException("the input is not valid JSON");
        }
    }

    /** The string field {@code name}, or null when it is absent or null. */
    public String optionalText(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidToolInputException("\"" + name + "\" must be a string");
        }
        return value.textValue();
    }

    /** The string field {@code name}; it must be present and not blank. */
    public String text(String name) {
        String value = optionalText(name);
        if (value == null || value.isBlank()) {
            throw new InvalidToolInputException("\"" + name + "\" is required");
        }
        return value;
    }

    /** The array of strings {@code name}; empty when absent. */
    public List<String> texts(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new InvalidToolInputException("\"" + name + "\" must be an array of strings");
        }
        List<String> texts = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new InvalidToolInputException("\"" + name + "\" must be an array of strings");
            }
            texts.add(item.textValue());
        }
        return texts;
    }

    /** An input that cannot be read; its message is the result text's reason. */
    public static final class InvalidToolInputException extends IllegalArgumentException {

        public InvalidToolInputException(String message) {
            super(message);
        }
    }
}
