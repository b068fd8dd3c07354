package routes.tools.builtin;

import routes.tools.ToolDefinition;

/**
 * A tool Caravan implements itself. {@link BuiltInToolRoutes} gives each one a route from its definition's endpoint.
 * {@link #run} answers every failure (a bad input, a refused address, a timeout) with a short result text the model
 * can read, such as {@code "refused: private address"}; it does not throw for them.
 */
public interface BuiltInTool {

    /** The definition the model sees; also registered as a bean of its own. */
    ToolDefinition definition();

    /** Runs the tool on its input object and returns the result text. */
    String run(ToolInput input);
}
