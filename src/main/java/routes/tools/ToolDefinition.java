package routes.tools;

/**
 * A tool the model may call: a Camel endpoint (usually {@code direct:tool-<name>}) with a name, a description and a
 * JSON schema of its input.
 *
 * <p>Declared as a bean: in YAML next to the tool's route ({@code - beans: [{name: …, type: routes.tools.ToolDefinition,
 * properties: {…}}]}), or in Java for the built-in tools. The route receives the tool input as a JSON string in the
 * body (already checked against the schema) and the headers {@code CaravanToolName}, {@code CaravanChannel},
 * {@code CaravanChatId}, {@code CaravanSender}; what it leaves in the body is the result the model sees.
 */
public class ToolDefinition {

    /** Name the model calls the tool by: letters, digits, '-' and '_'. */
    private String name;

    /** What the tool does and when to use it, for the model. */
    private String description;

    /** JSON schema of the input object; {@code {"type":"object","properties":{}}} when it takes none. */
    private String inputSchema = "{\"type\":\"object\",\"properties\":{}}";

    /** The endpoint that runs the tool; {@code direct:tool-<name>} when not given. */
    private String endpoint;

    /** Whether the tool changes anything outside Caravan; such tools are denied unless allowed explicitly. */
    private boolean sideEffects;

    /** Whether the person must confirm each call before it runs. */
    private boolean confirm;

    public ToolDefinition() {
    }

    public ToolDefinition(String name, String description, String inputSchema, String endpoint, boolean sideEffects,
            boolean confirm) {
        this.name = name;
        this.description = description;
        this.inputSchema = inputSchema;
        this.endpoint = endpoint;
        this.sideEffects = sideEffects;
        this.confirm = confirm;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
    public String getInputSchema() { return inputSchema; }
    public void setInputSchema(String inputSchema) { this.inputSchema = inputSchema; }
    public String getEndpoint() { return endpoint != null && !endpoint.isBlank() ? endpoint : "direct:tool-" + name; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
    public boolean isSideEffects() { return sideEffects; }
    public void setSideEffects(boolean sideEffects) { this.sideEffects = sideEffects; }
    public boolean isConfirm() { return confirm; }
    public void setConfirm(boolean confirm) { this.confirm = confirm; }

    @Override
    public String toString() {
        return "ToolDefinition[" + name + " -> " + getEndpoint() + (sideEffects ? ", side effects" : "")
                + (confirm ? ", confirm" : "") + "]";
    }
}
