package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContentFilterTest {

    private final ContentFilter filter = ContentFilter.parse("""
            # words the operator does not want to see
            ass
            bad word

              Secret Plan
            傻瓜
            ass
            """);

    @Test
    void commentsBlankLinesAndDuplicatesAreSkipped() {
        assertThat(filter.size()).isEqualTo(4);
        assertThat(ContentFilter.parse("# only a comment\n\n").isEmpty()).isTrue();
        assertThat(ContentFilter.EMPTY.scan("anything at all"))
                .isEqualTo(new ContentFilter.Result("anything at all", 0));
    }

    @Test
    void wordsMatchCaseInsensitivelyOnWordBoundariesOnly() {
        ContentFilter.Result result = filter.scan("Ass! a class, an assistant, ASS and mass-ass");
        assertThat(result.masked()).isEqualTo("***! a class, an assistant, *** and mass-***");
        assertThat(result.matches()).isEqualTo(3);
        assertThat(filter.scan("Überass and ass_hat and ass1").found()).isFalse();
    }

    @Test
    void phrasesMatchWithAnyWhitespaceBetweenTheirWords() {
        assertThat(filter.scan("that BAD  word, not a bad wording; the secret\nplan.").masked())
                .isEqualTo("that *********, not a bad wording; the ***********.");
    }

    @Test
    void cjkEntriesMatchInsideText() {
        ContentFilter.Result result = filter.scan("你是个傻瓜吗？傻瓜们");
        assertThat(result.masked()).isEqualTo("你是个**吗？**们");
        assertThat(result.matches()).isEqualTo(2);
    }

    @Test
    void aTextWithoutListedWordsIsReturnedAsItIs() {
        String text = "a perfectly harmless sentence";
        ContentFilter.Result result = filter.scan(text);
        assertThat(result.found()).isFalse();
        assertThat(result.masked()).isSameAs(text);
    }

    @Test
    void aStreamedTextIsMaskedEvenWhenAWordIsSplitAcrossPieces() {
        String text = "you said a bad word, Ass, and 傻瓜 — classy assistant words are fine though.";
        String expected = filter.scan(text).masked();
        for (int size : new int[] {1, 2, 3, 5, 8, 13}) {
            ContentFilter.Streaming streaming = filter.streaming();
            StringBuilder shown = new StringBuilder();
            for (int i = 0; i < text.length(); i += size) {
                String part = streaming.accept(text.substring(i, Math.min(text.length(), i + size)));
                assertThat(expected).as("pieces of %d", size).startsWith(shown + part);
                shown.append(part);
            }
            shown.append(streaming.finish());
            assertThat(shown.toString()).as("pieces of %d", size).isEqualTo(expected);
        }
    }

    @Test
    void aStreamedTextShowsWhatNoWordCanStillBeCompleting() {
        ContentFilter.Streaming streaming = ContentFilter.of(List.of("ass")).streaming();
        // kept back: twice the longest entry and one more character
        assertThat(streaming.accept("a long harmless beginning, then as")).isEqualTo("a long harmless beginning, ");
        assertThat(streaming.accept("s.")).isEqualTo("th");
        assertThat(streaming.finish()).isEqualTo("en ***.");
    }
}
