package routes.infra.kafka;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code ordered-kafka:<topic>?groupId=…}: a Kafka consumer that processes records concurrently across keys and in
 * order within a key, committing an offset only when every record before it in its partition is done.
 *
 * <p>camel-kafka's consumer handles one record at a time per thread; a model call takes seconds, so a partition
 * would wait on one chat's call before starting another's. This component puts Confluent's Parallel Consumer in
 * front of a Camel route and completes each record when the route's exchange completes, asynchronously, so a
 * record waiting on a provider holds no thread. Producing stays on camel-kafka.
 */
public class OrderedKafkaComponent extends DefaultComponent {

    /** Kafka bootstrap servers for every endpoint of this component. */
    private String brokers;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        OrderedKafkaEndpoint endpoint = new OrderedKafkaEndpoint(uri, this, remaining);
        endpoint.setBrokers(brokers);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    public String getBrokers() {
        return brokers;
    }

    public void setBrokers(String brokers) {
        this.brokers = brokers;
    }
}
