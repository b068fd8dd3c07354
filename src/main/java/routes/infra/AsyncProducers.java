package routes.infra;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceHelper;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Started asynchronous producers by endpoint URI, for Java code that sends exchanges into routes without holding a
 * thread while they run ({@link AsyncProducer#processAsync}); a {@code ProducerTemplate}'s async methods park a pool
 * thread per call instead.
 */
@Component
public class AsyncProducers implements DisposableBean {

    private final CamelContext camel;
    private final Map<String, AsyncProducer> producers = new ConcurrentHashMap<>();

    public AsyncProducers(CamelContext camel) {
        this.camel = camel;
    }

    /** The producer of {@code uri}, created and started on first use. */
    public AsyncProducer of(String uri) {
        return producers.computeIfAbsent(uri, u -> {
            try {
                AsyncProducer producer = camel.getEndpoint(u).createAsyncProducer();
                ServiceHelper.startService(producer);
                return producer;
            } catch (Exception e) {
                throw new IllegalStateException("cannot send to " + u, e);
            }
        });
    }

    public CamelContext camel() {
        return camel;
    }

    @Override
    public void destroy() {
        producers.values().forEach(ServiceHelper::stopService);
    }
}
