package routes.cli;

/**
 * One line of {@code caravan doctor}: what was checked, how it went, and what to do about it.
 *
 * @param status OK, WARN or FAIL
 * @param topic  what was checked, one short word (kafka, telegram, setting …)
 * @param message what was found
 * @param fix    what to do; {@code null} when nothing needs doing
 */
record Check(Status status, String topic, String message, String fix) {

    /** How a check went; any FAIL makes the doctor exit non-zero. */
    enum Status { OK, WARN, FAIL }

    static Check ok(String topic, String message) {
        return new Check(Status.OK, topic, message, null);
    }

    static Check warn(String topic, String message, String fix) {
        return new Check(Status.WARN, topic, message, fix);
    }

    static Check fail(String topic, String message, String fix) {
        return new Check(Status.FAIL, topic, message, fix);
    }

    /** The printed line, e.g. {@code FAIL  kafka     localhost:9092 unreachable: … -> start Kafka …}. */
    String line() {
        return String.format("%-4s  %-9s %s%s", status, topic, message, fix == null ? "" : " -> " + fix);
    }
}
