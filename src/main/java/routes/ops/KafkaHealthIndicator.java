package routes.ops;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/** {@code kafka} in /actuator/health: UP while the cluster answers within two seconds. */
@Component("kafka")
public class KafkaHealthIndicator extends AbstractHealthIndicator {

    private final Admin admin;

    public KafkaHealthIndicator(Admin admin) {
        super("Kafka health check failed");
        this.admin = admin;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000));
        int nodes = cluster.nodes().get(2, TimeUnit.SECONDS).size();
        builder.up().withDetail("clusterId", cluster.clusterId().get(2, TimeUnit.SECONDS)).withDetail("nodes", nodes);
    }
}
