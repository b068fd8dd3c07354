package routes.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * This process's instance id: the envelope's {@code instance}, the Redis channel replies for its connections
 * arrive on, and the stable Kafka group member id.
 *
 * <p>Configured with {@code caravan.instance.id}; otherwise kept in {@code <storage>/instance-id} so a restart
 * on the same data is the same instance (and gets its partitions back without waiting for a rebalance).
 */
@Component
public class InstanceIdentity {

    private final String id;

    public InstanceIdentity(@Value("${caravan.instance.id:}") String configured,
            @Value("${caravan.storage.path:./data}") String storagePath) throws IOException {
        this.id = configured != null && !configured.isBlank() ? configured : stored(Path.of(storagePath));
    }

    public String id() {
        return id;
    }

    private static String stored(Path storage) throws IOException {
        Path file = storage.resolve("instance-id");
        if (Files.exists(file)) {
            String existing = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!existing.isEmpty()) {
                return existing;
            }
        }
        Files.createDirectories(storage);
        String fresh = "caravan-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(file, fresh, StandardCharsets.UTF_8);
        return fresh;
    }
}
