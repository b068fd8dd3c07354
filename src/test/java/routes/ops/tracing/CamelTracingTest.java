package routes.ops.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * Which spans Camel makes of a message that enters by one endpoint, passes two {@code direct:} routes and leaves by
 * another: real OpenTelemetry SDK spans, recorded (sampling on) by a span processor that sees every span whether or
 * not an exporter is configured.
 */
class CamelTracingTest {

    private final List<SpanData> spans = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider sdk = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn())
            .addSpanProcessor(SimpleSpanProcessor.create(new Collecting(spans))).build();
    private CamelContext camel;

    @AfterEach
    void stop() {
        if (camel != null) {
            camel.stop();
        }
        sdk.close();
    }

    @Test
    void withoutAnExporterOnlyTheSpansAtTheBoundariesAreMadeAndTheyFormOneTrace() throws Exception {
        run(false);

        assertThat(uris()).contains("seda://in", "seda://out").noneMatch(uri -> uri.startsWith("direct:"));
        assertThat(spans.stream().map(s -> s.getSpanContext().getTraceId()).distinct()).hasSize(1);
        // the direct: routes are not even watched: nothing is looked at per message there
        assertThat(tracingPolicies("entry")).isOne();
        assertThat(tracingPolicies("step")).isZero();
        assertThat(tracingPolicies("last")).isZero();
    }

    @Test
    void withAnExporterEveryRouteAndEveryHopIsASpan() throws Exception {
        run(true);

        assertThat(uris()).contains("seda://in", "seda://out", "direct://step", "direct://last");
        assertThat(spans.stream().map(s -> s.getSpanContext().getTraceId()).distinct()).hasSize(1);
        assertThat(tracingPolicies("step")).isOne();
    }

    /** The tracer's policies on a route. */
    private long tracingPolicies(String routeId) {
        return camel.getRoute(routeId).getRoutePolicyList().stream()
                .filter(p -> p.getClass().getName().startsWith("org.apache.camel.tracing.")).count();
    }

    private void run(boolean exporter) throws Exception {
        registerTracing(exporter);
        camel = new DefaultCamelContext();
        new CamelTracing().camelTracer(camel, provider(Tracer.class), provider(DefaultTracingObservationHandler.class),
                provider(PropagatingSenderTracingObservationHandler.class),
                provider(PropagatingReceiverTracingObservationHandler.class), provider(SpanExporter.class));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:in").routeId("entry").to("direct:step");
                from("direct:step").routeId("step").to("direct:last");
                from("direct:last").routeId("last").to("seda:out");
            }
        });
        camel.start();
        camel.createProducerTemplate().sendBody("seda:in", "hello");
        assertThat(camel.createConsumerTemplate().receiveBody("seda:out", 10_000, String.class)).isEqualTo("hello");
        // the entry route's span ends last, once the exchange is done
        await().atMost(Duration.ofSeconds(10)).until(() -> spans.stream()
                .anyMatch(s -> "entry".equals(s.getAttributes().get(ROUTE_ID))));
    }

    // ------------------------------------------------------------------ the tracing Spring Boot would set up

    private static final AttributeKey<String> URI = AttributeKey.stringKey("camel.uri");
    private static final AttributeKey<String> ROUTE_ID = AttributeKey.stringKey("camel.route.id");

    private final StaticListableBeanFactory beans = new StaticListableBeanFactory();

    /** The beans of Spring Boot's tracing set-up, on the test's SDK; an exporter among them if asked for. */
    private void registerTracing(boolean exporter) {
        OtelCurrentTraceContext context = new OtelCurrentTraceContext();
        io.opentelemetry.api.trace.Tracer otel = sdk.get("caravan-test");
        OtelTracer tracer = new OtelTracer(otel, context, event -> { },
                new OtelBaggageManager(context, List.of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(
                ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
        beans.addBean("tracer", tracer);
        beans.addBean("spans", new DefaultTracingObservationHandler(tracer));
        beans.addBean("sending", new PropagatingSenderTracingObservationHandler<>(tracer, propagator));
        beans.addBean("receiving", new PropagatingReceiverTracingObservationHandler<>(tracer, propagator));
        if (exporter) {
            beans.addBean("exporter", new Collecting(new CopyOnWriteArrayList<>()));
        }
    }

    @SuppressWarnings("unchecked")
    private <T> ObjectProvider<T> provider(Class<?> type) {
        return (ObjectProvider<T>) beans.getBeanProvider(type);
    }

    private Set<String> uris() {
        return spans.stream().map(s -> s.getAttributes().get(URI)).filter(u -> u != null)
                .map(u -> u.replaceFirst("\\?.*", "")).collect(Collectors.toSet());
    }

    /** Keeps every span it is given. */
    private record Collecting(List<SpanData> into) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            into.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
