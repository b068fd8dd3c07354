package routes.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** How messages are matched to model profiles ({@code caravan.routing.*}). */
@ConfigurationProperties("caravan.routing")
public class RoutingProperties {

    /** Intents by label: the words, patterns and example prompts that mark them. Checked in order. */
    private Map<String, Intent> intents = new LinkedHashMap<>();

    /** The optional local classifier: nearest labelled example by sentence embedding. */
    private Classifier classifier = new Classifier();

    public Map<String, Intent> getIntents() { return intents; }
    public void setIntents(Map<String, Intent> intents) { this.intents = intents; }
    public Classifier getClassifier() { return classifier; }
    public void setClassifier(Classifier classifier) { this.classifier = classifier; }

    /** One intent. */
    public static class Intent {

        /** Words or phrases (case-insensitive, whole words) that mark the intent. */
        private List<String> keywords = new ArrayList<>();

        /** Regular expressions (Java syntax) that mark the intent. */
        private List<String> patterns = new ArrayList<>();

        /** Example prompts for the classifier. */
        private List<String> examples = new ArrayList<>();

        public List<String> getKeywords() { return keywords; }
        public void setKeywords(List<String> keywords) { this.keywords = keywords; }
        public List<String> getPatterns() { return patterns; }
        public void setPatterns(List<String> patterns) { this.patterns = patterns; }
        public List<String> getExamples() { return examples; }
        public void setExamples(List<String> examples) { this.examples = examples; }
    }

    /** The sentence-embedding classifier (all-MiniLM-L6-v2, in-process ONNX, no network). */
    public static class Classifier {

        /** Classify messages no keyword or pattern matched. Loads a ~90 MB model at start-up. */
        private boolean enabled;

        /** Cosine similarity the nearest example needs, else the intent is {@code none}. */
        private double minSimilarity = 0.2;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public double getMinSimilarity() { return minSimilarity; }
        public void setMinSimilarity(double minSimilarity) { this.minSimilarity = minSimilarity; }
    }
}
