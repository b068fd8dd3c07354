package routes.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSearchToolTest {

    @TempDir
    Path temp;

    private Path root;
    private Path outside;
    private final FileSearchProperties properties = new FileSearchProperties();

    @BeforeEach
    void createFolders() throws IOException {
        root = Files.createDirectories(temp.resolve("shared"));
        outside = Files.createDirectories(temp.resolve("private"));
        Files.writeString(outside.resolve("secret.txt"), "the launch code is swordfish\n");
        Files.createDirectories(root.resolve("docs/howto"));
        Files.writeString(root.resolve("docs/howto/deploy.md"), "# Deploy\n\nRun the Deploy script, then check.\n");
        Files.writeString(root.resolve("docs/readme.txt"), "nothing to see\n");
        Files.writeString(root.resolve("docs/howto/swordfish-notes.txt"), "fish recipes\n");
        Files.write(root.resolve("docs/logo.bin"), new byte[] {'d', 'e', 'p', 'l', 'o', 'y', 0, 1, 2});
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve(".git/config"), "deploy = yes\n");
        properties.setRoot(root.toString());
    }

    private String search(String json) {
        return new FileSearchTool(properties).run(ToolInput.parse(json));
    }

    @Test
    void findsFilesByContentWithTheMatchingLine() {
        assertThat(search("{\"query\":\"deploy SCRIPT\"}")).isEqualTo("""
                1 file matches "deploy SCRIPT" (4 files searched):
                - docs/howto/deploy.md: line 3: Run the Deploy script, then check.""");
    }

    @Test
    void findsFilesByName() {
        assertThat(search("{\"query\":\"swordfish\"}"))
                .contains("- docs/howto/swordfish-notes.txt (name matches)")
                .doesNotContain("launch code");
    }

    @Test
    void searchesOnlyTheGivenSubFolder() {
        assertThat(search("{\"query\":\"nothing\",\"path\":\"docs/howto\"}")).startsWith("no files match");
        assertThat(search("{\"query\":\"nothing\",\"path\":\"docs\"}")).contains("- docs/readme.txt: line 1");
    }

    @Test
    void binaryAndHiddenFilesDoNotMatchByContent() {
        assertThat(search("{\"query\":\"deploy\"}")).contains("docs/howto/deploy.md").doesNotContain("logo.bin")
                .doesNotContain(".git");
    }

    @Test
    void pathsLeavingTheFolderAreRefused() {
        assertThat(search("{\"query\":\"code\",\"path\":\"../private\"}"))
                .isEqualTo("refused: the path may not contain ..");
        assertThat(search("{\"query\":\"code\",\"path\":\"docs/../../private\"}"))
                .isEqualTo("refused: the path may not contain ..");
        assertThat(search("{\"query\":\"code\",\"path\":\"docs\\\\..\\\\..\"}"))
                .isEqualTo("refused: the path may not contain ..");
        assertThat(search("{\"query\":\"code\",\"path\":\"" + outside + "\"}"))
                .isEqualTo("refused: the path must be relative to the shared folder");
        assertThat(search("{\"query\":\"code\",\"path\":\"/etc\"}"))
                .isEqualTo("refused: the path must be relative to the shared folder");
        assertThat(search("{\"query\":\"code\",\"path\":\"C:\\\\Windows\"}"))
                .isEqualTo("refused: the path must be relative to the shared folder");
    }

    @Test
    void aSymlinkPointingOutsideIsNotFollowed() throws IOException {
        Files.createSymbolicLink(root.resolve("docs/escape"), outside);
        Files.createSymbolicLink(root.resolve("docs/leak.txt"), outside.resolve("secret.txt"));

        assertThat(search("{\"query\":\"code\",\"path\":\"docs/escape\"}"))
                .isEqualTo("refused: the path leads outside the shared folder");
        assertThat(search("{\"query\":\"launch code\"}")).startsWith("no files match");
    }

    @Test
    void aSymlinkStayingInsideIsSearched() throws IOException {
        Files.createSymbolicLink(root.resolve("deploy-link.md"), root.resolve("docs/howto/deploy.md"));
        Files.createSymbolicLink(root.resolve("howto"), root.resolve("docs/howto"));

        assertThat(search("{\"query\":\"deploy script\"}")).contains("- deploy-link.md: line 3");
        assertThat(search("{\"query\":\"deploy script\",\"path\":\"howto\"}")).contains("- docs/howto/deploy.md");
    }

    @Test
    void theLimitsHold() throws IOException {
        for (int i = 0; i < 30; i++) {
            Files.writeString(root.resolve("note-" + i + ".txt"), "x".repeat(100) + " needle\n");
        }
        properties.setMaxResults(5);
        String limited = search("{\"query\":\"needle\"}");
        assertThat(limited).startsWith("5 files match").endsWith("narrow the query or give a sub-folder.");

        properties.setMaxResults(100);
        properties.setMaxFileBytes(org.springframework.util.unit.DataSize.ofBytes(50));
        assertThat(search("{\"query\":\"needle\"}")).startsWith("no files match");

        properties.setMaxFileBytes(org.springframework.util.unit.DataSize.ofKilobytes(1));
        properties.setMaxFiles(10);
        assertThat(search("{\"query\":\"needle\"}")).contains("(10 files searched)")
                .endsWith("narrow the query or give a sub-folder.");
    }

    @Test
    void aMissingQueryIsAnInputError() {
        assertThatThrownBy(() -> search("{\"path\":\"docs\"}"))
                .isInstanceOf(ToolInput.InvalidToolInputException.class).hasMessage("\"query\" is required");
    }

    @Test
    void theRootMustExist() {
        properties.setRoot(temp.resolve("absent").toString());
        assertThatThrownBy(() -> new FileSearchTool(properties)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caravan.tools.files.root");
    }
}
