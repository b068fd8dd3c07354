package routes.model;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The tools one message's model call may use, and how to run them. */
public interface ToolBox {

    /** A tool box with no tools. */
    ToolBox NONE = new ToolBox() {
        @Override
        public List<ToolSpecification> specifications() {
            return List.of();
        }

        @Override
        public CompletableFuture<String> run(ToolExecutionRequest request) {
            return CompletableFuture.completedFuture("error: no tools are available");
        }
    };

    /** What the model is told it may call. */
    List<ToolSpecification> specifications();

    /**
     * Runs one call; the result is what the model reads next (errors included, as text: a tool failure is news for
     * the model, not the end of the conversation).
     */
    CompletableFuture<String> run(ToolExecutionRequest request);

    /**
     * When the call must be confirmed by the person first: the question to ask them (the call is kept until they
     * answer); otherwise null.
     */
    default String confirmation(ToolExecutionRequest request) {
        return null;
    }

    /** Model calls one message may take while the model keeps asking for tools. */
    default int maxSteps() {
        return 5;
    }
}
