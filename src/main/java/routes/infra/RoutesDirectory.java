package routes.infra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * The external routes directory ({@code caravan.routes-dir}, default {@code ./routes}): the YAML routes an
 * integrator edits, loaded at start and reloaded on every save.
 *
 * <p>Made before Camel collects routes. The route files Caravan ships ({@code classpath:routes/*.yaml}: model
 * routing and priority rules, example tools) are copied into it on first start, never over an existing file, so the
 * rules in effect are always the ones in this directory and an edit there takes effect without a restart.
 */
@Component
public class RoutesDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesDirectory.class);

    private final Path path;

    public RoutesDirectory(@Value("${caravan.routes-dir:./routes}") String dir) throws IOException {
        this.path = Path.of(dir);
        Files.createDirectories(path);
        seed();
    }

    private void seed() throws IOException {
        Resource[] shipped = new PathMatchingResourcePatternResolver().getResources("classpath*:routes/*.yaml");
        for (Resource resource : shipped) {
            String name = resource.getFilename();
            if (name == null) {
                continue;
            }
            Path target = path.resolve(name);
            if (Files.exists(target)) {
                continue;
            }
            try (InputStream in = resource.getInputStream()) {
                Files.copy(in, target);
            }
            LOG.info("wrote the shipped routes {} into {}; edit them there", name, path.toAbsolutePath());
        }
    }

    public Path path() {
        return path;
    }
}
