package routes.infra.kafka;

/** Headers set on each exchange by {@link OrderedKafkaConsumer}. */
public final class OrderedKafkaConstants {

    public static final String TOPIC = "CaravanKafkaTopic";
    public static final String PARTITION = "CaravanKafkaPartition";
    public static final String OFFSET = "CaravanKafkaOffset";
    public static final String KEY = "CaravanKafkaKey";

    private OrderedKafkaConstants() {
    }
}
