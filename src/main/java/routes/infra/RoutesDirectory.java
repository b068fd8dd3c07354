package routes.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Makes sure the external routes directory ({@code caravan.routes-dir}) exists before Camel collects routes from
 * it, so an integrator can drop YAML files there at any time.
 */
@Component
public class RoutesDirectory {

    private final Path path;

    public RoutesDirectory(@Value("${caravan.routes-dir:./routes}") String dir) throws IOException {
        this.path = Path.of(dir);
        Files.createDirectories(path);
    }

    public Path path() {
        return path;
    }
}
