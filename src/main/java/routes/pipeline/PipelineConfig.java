package routes.pipeline;

import org.apache.camel.component.redis.processor.idempotent.SpringRedisStringIdempotentRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.security.Pseudonyms;

/** Beans of the pipeline. */
@Configuration(proxyBeanMethods = false)
public class PipelineConfig {

    /** Processed message ids, in Redis, shared by every instance, forgotten after the dedupe TTL. */
    @Bean
    @org.springframework.context.annotation.Primary
    IdempotentRepository dedupeRepository(StringRedisTemplate redis, PipelineProperties properties) {
        return pseudonymous(redis, "caravan:dedupe", properties);
    }

    /** Delivered reply ids: a reply record seen twice is delivered once. */
    @Bean
    IdempotentRepository deliveryRepository(StringRedisTemplate redis, PipelineProperties properties) {
        return pseudonymous(redis, "caravan:delivered", properties);
    }

    /**
     * A Redis idempotent repository that keeps the SHA-256 of each key ({@code channel:chatId:messageId}) instead of
     * the key, so the marks left for days name no chat.
     */
    private static IdempotentRepository pseudonymous(StringRedisTemplate redis, String name,
            PipelineProperties properties) {
        SpringRedisStringIdempotentRepository repository = new SpringRedisStringIdempotentRepository(redis, name) {
            @Override
            public boolean add(String key) {
                return super.add(Pseudonyms.of(key));
            }

            @Override
            public boolean contains(String key) {
                return super.contains(Pseudonyms.of(key));
            }

            @Override
            public boolean remove(String key) {
                return super.remove(Pseudonyms.of(key));
            }

            @Override
            public boolean confirm(String key) {
                return super.confirm(Pseudonyms.of(key));
            }
        };
        repository.setExpiry(properties.getDedupeTtl().toSeconds());
        return repository;
    }
}
