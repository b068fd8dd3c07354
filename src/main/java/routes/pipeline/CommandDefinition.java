package routes.pipeline;

/**
 * A slash command an integrator adds in YAML: a bean of this type next to the command's route.
 *
 * <pre>
 * - beans:
 *     - name: command-weather
 *       type: routes.pipeline.CommandDefinition
 *       properties:
 *         name: weather
 *         description: "/weather &lt;city&gt; — today's forecast"
 * - route:
 *     id: command-weather
 *     from:
 *       uri: direct:command-weather
 *       steps:
 *         - setBody:
 *             simple: "Sunny in ${body}"
 * </pre>
 *
 * The route gets the text after the command in the body and the routing headers ({@code CaravanChannel},
 * {@code CaravanChatId}, {@code CaravanSender} …); what it leaves in the body is the reply. The model never sees
 * the command.
 */
public class CommandDefinition {

    /** The command without its slash, lower case. */
    private String name;

    /** One line for /help. */
    private String description;

    /** The endpoint that answers; {@code direct:command-<name>} when not given. */
    private String endpoint;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
    public String getEndpoint() { return endpoint != null && !endpoint.isBlank() ? endpoint : "direct:command-" + name; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
}
