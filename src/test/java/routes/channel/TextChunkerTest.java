package routes.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextChunkerTest {

    @Test
    void shortTextIsOneChunk() {
        assertThat(TextChunker.split("hello", 4096)).containsExactly("hello");
        assertThat(TextChunker.split("", 4096)).isEmpty();
        assertThat(TextChunker.split(null, 4096)).isEmpty();
    }

    @Test
    void a4100CharacterReplyBecomesTwoMessagesWithNothingLost() {
        String text = ("word ".repeat(820)).trim();
        assertThat(text.length()).isGreaterThan(4096);
        List<String> chunks = TextChunker.split(text, 4096);
        assertThat(chunks).hasSize(2).allMatch(c -> c.length() <= 4096);
        assertThat(String.join(" ", chunks)).isEqualTo(text);
    }

    @Test
    void prefersParagraphThenLineBoundaries() {
        String text = "a".repeat(60) + "\n\n" + "b".repeat(30) + "\n" + "c".repeat(30);
        assertThat(TextChunker.split(text, 100)).containsExactly("a".repeat(60), "b".repeat(30) + "\n" + "c".repeat(30));
    }

    @Test
    void unbrokenTextIsCutHardButNeverInsideASurrogatePair() {
        String emoji = "😀";
        String text = "x".repeat(9) + emoji + "y".repeat(5);
        List<String> chunks = TextChunker.split(text, 10);
        assertThat(String.join("", chunks)).isEqualTo(text);
        chunks.forEach(c -> assertThat(Character.isHighSurrogate(c.charAt(c.length() - 1))).isFalse());
    }
}
