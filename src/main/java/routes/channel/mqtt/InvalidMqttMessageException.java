package routes.channel.mqtt;

/** A device's message Caravan cannot take (bad topic, empty, not UTF-8, malformed JSON …): it goes to the DLQ. */
public class InvalidMqttMessageException extends RuntimeException {

    public InvalidMqttMessageException(String reason) {
        super(reason);
    }
}
