package routes.pipeline;

import org.apache.camel.component.redis.processor.idempotent.SpringRedisStringIdempotentRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Beans of the pipeline. */
@Configuration(proxyBeanMethods = false)
public class PipelineConfig {

    /** Processed message ids, in Redis, shared by every instance, forgotten after the dedupe TTL. */
    @Bean
    @org.springframework.context.annotation.Primary
    IdempotentRepository dedupeRepository(StringRedisTemplate redis, PipelineProperties properties) {
        SpringRedisStringIdempotentRepository repository =
                new SpringRedisStringIdempotentRepository(redis, "caravan:dedupe");
        repository.setExpiry(properties.getDedupeTtl().toSeconds());
        return repository;
    }

    /** Delivered reply ids: a reply record seen twice is delivered once. */
    @Bean
    IdempotentRepository deliveryRepository(StringRedisTemplate redis, PipelineProperties properties) {
        SpringRedisStringIdempotentRepository repository =
                new SpringRedisStringIdempotentRepository(redis, "caravan:delivered");
        repository.setExpiry(properties.getDedupeTtl().toSeconds());
        return repository;
    }
}
