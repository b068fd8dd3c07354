package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * Intents as shipped in application.yaml: keywords and patterns first, then the local sentence-embedding
 * classifier (the real all-MiniLM-L6-v2 model, in-process) for prompts no keyword catches.
 */
class IntentClassifierTest {

    private static IntentClassifier classifier;
    private static IntentClassifier keywordsOnly;

    @BeforeAll
    static void load() throws Exception {
        StandardEnvironment env = new StandardEnvironment();
        new YamlPropertySourceLoader().load("app", new ClassPathResource("application.yaml"))
                .forEach(env.getPropertySources()::addLast);
        RoutingProperties shipped = Binder.get(env).bind("caravan.routing", RoutingProperties.class).get();
        shipped.getClassifier().setEnabled(true);
        classifier = new IntentClassifier(shipped);
        RoutingProperties off = Binder.get(env).bind("caravan.routing", RoutingProperties.class).get();
        off.getClassifier().setEnabled(false);
        keywordsOnly = new IntentClassifier(off);
    }

    @Test
    void keywordsAndPatternsNameTheIntentWithoutTheModel() {
        assertThat(keywordsOnly.classify("Why does my Python script throw an exception?")).isEqualTo("coding");
        assertThat(keywordsOnly.classify("```\nint x = 1;\n```")).isEqualTo("coding");
        assertThat(keywordsOnly.classify("def handler(event): pass")).isEqualTo("coding");
        // whole words only: "codex" and "apiary" are not about code
        assertThat(keywordsOnly.classify("I found an old codex near the apiary")).isEqualTo(IntentClassifier.NONE);
        assertThat(keywordsOnly.classify("What should I cook tonight?")).isEqualTo(IntentClassifier.NONE);
    }

    @Test
    void theLocalClassifierRoutesExamplePromptsNoKeywordCatches() {
        List<String> coding = List.of(
                "How can I sort a list of numbers from largest to smallest?",
                "My web server returns an error when I upload a large file",
                "What is a good way to store passwords in a database?",
                "My app freezes when two users save at the same time");
        List<String> general = List.of(
                "What is a nice place to visit in Portugal in spring?",
                "Can you suggest a name for my new puppy?",
                "How many minutes should I boil an egg?",
                "Which shoes are best for hiking?");
        for (String prompt : coding) {
            assertThat(classifier.classify(prompt)).as(prompt).isEqualTo("coding");
        }
        for (String prompt : general) {
            assertThat(classifier.classify(prompt)).as(prompt).isEqualTo("general");
        }
    }
}
