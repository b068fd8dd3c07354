package routes.infra.kafka;

import io.confluent.parallelconsumer.PCRetriableException;
import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.internal.DrainingCloseable.DrainingMode;
import io.confluent.parallelconsumer.reactor.ReactorProcessor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Feeds records to the route through a Parallel Consumer in KEY order.
 *
 * <p>Each record becomes an exchange whose body is the record's bytes. The record counts as done when the route's
 * exchange completes without an unhandled exception; only then may its offset be committed. A failed record is
 * retried by the Parallel Consumer after {@code retryDelayMs}, so routes bound their own retries and dead-letter
 * what they cannot process, as every Caravan route does. A partition taken over (start-up, rebalance) resumes at
 * its committed offset: records finished above it come again and are dropped downstream as duplicates
 * ({@link CommittedOffsetConsumer} says why).
 */
public class OrderedKafkaConsumer extends DefaultConsumer implements org.apache.camel.Suspendable {

    private static final Logger LOG = LoggerFactory.getLogger(OrderedKafkaConsumer.class);
    /** W3C trace context headers (traceparent, tracestate) and baggage. */
    private static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate", "baggage");
    /** Longer values are not trace context (W3C caps tracestate at 512 characters, baggage at 8 KB). */
    private static final int MAX_TRACE_HEADER = 8192;

    private final OrderedKafkaEndpoint endpoint;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile ReactorProcessor<String, byte[]> processor;
    private Gauge gauge;
    private io.micrometer.core.instrument.FunctionCounter restartCounter;
    private java.util.concurrent.ScheduledExecutorService watchdog;

    public OrderedKafkaConsumer(OrderedKafkaEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    /** Records handed to the route and not finished yet. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        processor = newProcessor();
        MeterRegistry registry = getEndpoint().getCamelContext().getRegistry().findSingleByType(MeterRegistry.class);
        if (registry != null) {
            gauge = Gauge.builder("caravan.consumer.inflight", inFlight, AtomicInteger::get)
                    .description("Records being processed and not yet finished")
                    .tag("topic", endpoint.getTopic())
                    .tag("group", endpoint.getGroupId())
                    .register(registry);
            restartCounter = io.micrometer.core.instrument.FunctionCounter
                    .builder("caravan.consumer.restarts", restarts, AtomicInteger::get)
                    .description("Consumers found stopped by a failure and started again")
                    .tag("topic", endpoint.getTopic())
                    .tag("group", endpoint.getGroupId())
                    .register(registry);
        }
        watchdog = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "ordered-kafka-watchdog-" + endpoint.getTopic());
        long every = endpoint.getWatchdogIntervalMs();
        watchdog.scheduleWithFixedDelay(this::restartIfFailed, every, every, TimeUnit.MILLISECONDS);
        LOG.info("consuming {} as group {} (max {} in flight)", endpoint.getTopic(), endpoint.getGroupId(),
                endpoint.getMaxConcurrency());
    }

    /**
     * A Parallel Consumer that fails (its control loop ends on an error it does not retry, e.g. around a broker
     * connection lost mid-commit) stops taking records for good, silently: the route would stand still. Found
     * closed while the route runs, it is replaced by a new one, which resumes from the committed offsets (what was in
     * flight comes again and is deduplicated downstream).
     */
    private void restartIfFailed() {
        ReactorProcessor<String, byte[]> current = processor;
        if (current == null || !isRunAllowed() || isSuspendingOrSuspended() || !current.isClosedOrFailed()) {
            return;
        }
        LOG.error("the consumer of {} (group {}) stopped: {}; starting a new one", endpoint.getTopic(),
                endpoint.getGroupId(), current.getFailureCause() != null ? current.getFailureCause() : "closed");
        try {
            current.close(Duration.ofSeconds(5), DrainingMode.DONT_DRAIN);
        } catch (RuntimeException e) {
            LOG.debug("closing the stopped consumer of {}: {}", endpoint.getTopic(), e.toString());
        }
        try {
            processor = newProcessor();
            restarts.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.error("the consumer of {} could not be started again, next try in {} ms: {}", endpoint.getTopic(),
                    endpoint.getWatchdogIntervalMs(), e.toString());
        }
    }

    /** Consumers replaced after a failure since this one started. */
    public int restarts() {
        return restarts.get();
    }

    /** The Parallel Consumer feeding the route now (tests make it fail). */
    ReactorProcessor<String, byte[]> processor() {
        return processor;
    }

    private ReactorProcessor<String, byte[]> newProcessor() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoint.getBrokers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, endpoint.getGroupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, endpoint.getAutoOffsetReset());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, endpoint.getSessionTimeoutMs());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, endpoint.getSessionTimeoutMs() / 4));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, endpoint.getClientId() != null ? endpoint.getClientId()
                : "caravan-" + endpoint.getGroupId() + "-" + endpoint.getTopic());
        if (endpoint.getGroupInstanceId() != null && !endpoint.getGroupInstanceId().isBlank()) {
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, endpoint.getGroupInstanceId());
        }
        // resumes at the committed offset, never trusting the Parallel Consumer's map of what was finished above it
        KafkaConsumer<String, byte[]> kafka = new CommittedOffsetConsumer(props);
        var options = ParallelConsumerOptions.<String, byte[]>builder()
                .consumer(kafka)
                .ordering(ProcessingOrder.KEY)
                .maxConcurrency(endpoint.getMaxConcurrency())
                .commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
                .commitInterval(Duration.ofMillis(endpoint.getCommitIntervalMs()))
                .defaultMessageRetryDelay(Duration.ofMillis(endpoint.getRetryDelayMs()))
                .build();
        ReactorProcessor<String, byte[]> processor = new ReactorProcessor<>(options);
        processor.addLoopEndCallBack(new BusyPause(inFlight::get, endpoint.getBusyThreshold(),
                endpoint.getBusyPauseMs()));
        processor.subscribe(List.of(endpoint.getTopic()));
        processor.react(context -> Mono.create(sink -> {
            ConsumerRecord<String, byte[]> record = context.getSingleConsumerRecord();
            Exchange exchange = createExchange(false);
            exchange.getMessage().setBody(record.value());
            exchange.getMessage().setHeader(OrderedKafkaConstants.TOPIC, record.topic());
            exchange.getMessage().setHeader(OrderedKafkaConstants.PARTITION, record.partition());
            exchange.getMessage().setHeader(OrderedKafkaConstants.OFFSET, record.offset());
            exchange.getMessage().setHeader(OrderedKafkaConstants.KEY, record.key());
            copyTraceContext(record, exchange);
            inFlight.incrementAndGet();
            getAsyncProcessor().process(exchange, doneSync -> {
                inFlight.decrementAndGet();
                Exception failure = exchange.getException();
                releaseExchange(exchange, false);
                if (failure != null) {
                    LOG.warn("record {}-{}@{} failed and will be retried: {}", record.topic(), record.partition(),
                            record.offset(), failure.toString());
                    // retriable: the Parallel Consumer tries it again later and logs it quietly (we logged it)
                    sink.error(new PCRetriableException("route failed: " + failure.getMessage(), failure));
                } else {
                    // the reactor engine marks a record done on a value, not on completion: emit one
                    sink.success(Boolean.TRUE);
                }
            });
        }));
        return processor;
    }

    /** Suspended (Hawtio, JMX, the admin API): no new records are taken; those in flight finish and commit. */
    @Override
    protected void doSuspend() throws Exception {
        if (processor != null) {
            processor.pauseIfRunning();
        }
    }

    @Override
    protected void doResume() throws Exception {
        if (processor != null) {
            processor.resumeIfPaused();
        }
    }

    /**
     * Hands the W3C trace context the producer wrote into the record's headers to the route, where Camel tracing
     * continues the trace from it; nothing else of the record's headers reaches the route.
     */
    private static void copyTraceContext(ConsumerRecord<String, byte[]> record, Exchange exchange) {
        for (String name : TRACE_HEADERS) {
            Header header = record.headers().lastHeader(name);
            if (header != null && header.value() != null && header.value().length <= MAX_TRACE_HEADER) {
                exchange.getMessage().setHeader(name, new String(header.value(), StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (watchdog != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(watchdog);
            watchdog = null;
        }
        if (processor != null) {
            // finish what is in flight (bounded), so its offsets are committed rather than replayed
            processor.close(Duration.ofSeconds(10), DrainingMode.DONT_DRAIN);
            processor = null;
        }
        MeterRegistry registry = getEndpoint().getCamelContext().getRegistry().findSingleByType(MeterRegistry.class);
        if (registry != null) {
            if (gauge != null) {
                registry.remove(gauge);
            }
            if (restartCounter != null) {
                registry.remove(restartCounter);
            }
        }
        gauge = null;
        restartCounter = null;
        super.doStop();
    }
}
