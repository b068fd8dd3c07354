package routes.model;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.store.embedding.CosineSimilarity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Names the intent of a message, for routing rules ({@code CaravanIntent}).
 *
 * <p>First the configured keywords and patterns, in the order the intents are listed; then, when enabled, the
 * local classifier: the text's sentence embedding (all-MiniLM-L6-v2, run in-process by ONNX Runtime from the
 * model inside its Maven artifact, no network) against every labelled example, and the nearest example's label
 * wins if it is similar enough. Otherwise the intent is {@link #NONE}.
 */
@Component
public class IntentClassifier {

    /** The intent of a message nothing matched. */
    public static final String NONE = "none";

    private static final Logger LOG = LoggerFactory.getLogger(IntentClassifier.class);

    private record Rule(String label, List<Pattern> patterns) {
    }

    private record Example(String label, Embedding embedding) {
    }

    private final List<Rule> rules = new ArrayList<>();
    private final RoutingProperties properties;
    private volatile EmbeddingModel embeddings;
    private volatile List<Example> examples = List.of();

    public IntentClassifier(RoutingProperties properties) {
        this.properties = properties;
        for (Map.Entry<String, RoutingProperties.Intent> e : properties.getIntents().entrySet()) {
            List<Pattern> patterns = new ArrayList<>();
            for (String keyword : e.getValue().getKeywords()) {
                patterns.add(Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(keyword.toLowerCase(Locale.ROOT))
                        + "(?![\\p{L}\\p{N}])", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            }
            for (String pattern : e.getValue().getPatterns()) {
                patterns.add(Pattern.compile(pattern));
            }
            rules.add(new Rule(e.getKey(), patterns));
        }
        if (properties.getClassifier().isEnabled()) {
            load();
        }
    }

    private void load() {
        long started = System.nanoTime();
        EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        List<Example> loaded = new ArrayList<>();
        properties.getIntents().forEach((label, intent) -> {
            for (String example : intent.getExamples()) {
                loaded.add(new Example(label, model.embed(example).content()));
            }
        });
        this.embeddings = model;
        this.examples = List.copyOf(loaded);
        LOG.info("intent classifier ready: {} labelled examples in {} ms", loaded.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /** The intent of {@code text}. */
    public String classify(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        for (Rule rule : rules) {
            for (Pattern p : rule.patterns()) {
                if (p.matcher(text).find()) {
                    return rule.label();
                }
            }
        }
        return nearest(text);
    }

    /** The label of the example nearest to {@code text} by the classifier alone, or {@link #NONE}. */
    public String nearest(String text) {
        EmbeddingModel model = embeddings;
        if (model == null || examples.isEmpty() || text == null || text.isBlank()) {
            return NONE;
        }
        Embedding embedding = model.embed(text).content();
        String best = NONE;
        double bestScore = properties.getClassifier().getMinSimilarity();
        for (Example example : examples) {
            double score = CosineSimilarity.between(embedding, example.embedding());
            if (score >= bestScore) {
                bestScore = score;
                best = example.label();
            }
        }
        return best;
    }
}
