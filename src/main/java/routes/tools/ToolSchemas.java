package routes.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A tool's JSON schema, twice: as the model sees it (LangChain4j's schema elements, which every provider module
 * translates) and as the input check (a JSON Schema validator, draft 2020-12).
 */
public final class ToolSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private ToolSchemas() {
    }

    /** The compiled input check of a tool. */
    public static Schema validator(ToolDefinition tool) {
        return REGISTRY.getSchema(parse(tool));
    }

    /** The problems of {@code input} against the tool's schema; empty when it fits. */
    public static List<String> problems(Schema schema, JsonNode input) {
        return schema.validate(input).stream().map(e -> e.toString()).sorted().toList();
    }

    /** What the model is told about the tool. */
    public static ToolSpecification specification(ToolDefinition tool) {
        JsonNode schema = parse(tool);
        JsonSchemaElement parameters = element(schema);
        ToolSpecification.Builder b = ToolSpecification.builder().name(tool.getName())
                .description(tool.getDescription());
        if (parameters instanceof JsonObjectSchema object) {
            b.parameters(object);
        }
        return b.build();
    }

    private static JsonNode parse(ToolDefinition tool) {
        try {
            return JSON.readTree(tool.getInputSchema());
        } catch (Exception e) {
            throw new IllegalArgumentException("the input schema of tool '" + tool.getName() + "' is not JSON", e);
        }
    }

    static JsonSchemaElement element(JsonNode schema) {
        String description = schema.path("description").isTextual() ? schema.path("description").asText() : null;
        if (schema.has("enum")) {
            List<String> values = new ArrayList<>();
            schema.path("enum").forEach(v -> values.add(v.asText()));
            return JsonEnumSchema.builder().enumValues(values).description(description).build();
        }
        String type = schema.path("type").asText("object");
        return switch (type) {
            case "string" -> JsonStringSchema.builder().description(description).build();
            case "integer" -> JsonIntegerSchema.builder().description(description).build();
            case "number" -> JsonNumberSchema.builder().description(description).build();
            case "boolean" -> JsonBooleanSchema.builder().description(description).build();
            case "array" -> JsonArraySchema.builder().description(description)
                    .items(element(schema.path("items").isObject() ? schema.path("items")
                            : JSON.createObjectNode().put("type", "string")))
                    .build();
            default -> {
                JsonObjectSchema.Builder object = JsonObjectSchema.builder().description(description);
                for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> property = it.next();
                    object.addProperty(property.getKey(), element(property.getValue()));
                }
                List<String> required = new ArrayList<>();
                schema.path("required").forEach(r -> required.add(r.asText()));
                if (!required.isEmpty()) {
                    object.required(required);
                }
                if (schema.has("additionalProperties") && schema.path("additionalProperties").isBoolean()) {
                    object.additionalProperties(schema.path("additionalProperties").asBoolean());
                }
                yield object.build();
            }
        };
    }
}
