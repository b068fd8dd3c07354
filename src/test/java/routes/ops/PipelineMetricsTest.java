package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

class PipelineMetricsTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final PipelineMetrics metrics = new PipelineMetrics(meters);

    private static Envelope message(String channel) {
        return Envelope.builder().id("m1").channel(channel).chatId("c").chatType(ChatType.DIRECT).senderId("s")
                .text("hi").receivedAt(Instant.now().minusMillis(250)).build();
    }

    @Test
    void countsTrafficPerChannelAndOutcome() {
        metrics.received(message("telegram"));
        metrics.received(message("telegram"));
        metrics.replied(message("telegram"), null);
        metrics.replied(message("telegram"), "rate_limited");
        assertThat(meters.get("caravan.messages.in").tag("channel", "telegram").counter().count()).isEqualTo(2);
        assertThat(meters.get("caravan.messages.out").tag("outcome", "ok").counter().count()).isEqualTo(1);
        assertThat(meters.get("caravan.messages.out").tag("outcome", "rate_limited").counter().count()).isEqualTo(1);
    }

    @Test
    void replyLatencyRunsFromAcceptanceToReply() {
        metrics.replied(message("slack"), null);
        var timer = meters.get("caravan.reply.latency").tag("channel", "slack").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isBetween(250.0, 10_000.0);
    }

    @Test
    void modelCallsPerProviderAndOutcome() {
        metrics.modelCall("openai", "ok");
        metrics.modelCall("openai", "error");
        metrics.modelCall("openai", "error");
        assertThat(meters.get("caravan.model.calls").tags("provider", "openai", "outcome", "error").counter()
                .count()).isEqualTo(2);
    }
}
