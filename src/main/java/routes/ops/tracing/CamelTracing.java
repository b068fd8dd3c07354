package routes.ops.tracing;

import io.micrometer.observation.ObservationHandler;
import java.util.ArrayList;
import java.util.List;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.NamedNode;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.tracing.SpanDecorator;
import org.apache.camel.tracing.decorators.DirectSpanDecorator;
import org.apache.camel.observation.MicrometerObservationTracer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.infra.kafka.OrderedKafkaSpanDecorator;

/**
 * Camel routes in the application's traces: every route a message passes and every endpoint it is sent to becomes
 * a span of the trace of the HTTP request or webhook that brought the message, and the trace travels through Kafka
 * in the records' {@code traceparent} headers to the pipeline and on to the reply's egress.
 *
 * <p>Camel's observations go to a registry of their own that only makes spans (with Spring Boot's tracing
 * handlers): in Spring Boot's registry every route would also become a timer named after it, next to the route
 * metrics camel-micrometer already keeps. Spans still nest with Spring's observations, since the current
 * observation of a thread is shared by all registries.
 *
 * <p>On unless {@code management.tracing.enabled=false}. What is recorded is {@code
 * management.tracing.sampling.probability} (0 by default: trace ids in the logs, nothing recorded); spans leave the
 * process only when {@code management.otlp.tracing.endpoint} is set.
 *
 * <p>Without a span exporter (no OTLP endpoint, the default) no span can ever be seen, so Camel makes spans only where
 * the trace crosses a boundary: the HTTP request, the Kafka records, the routes they start, the calls out. The hops
 * between {@code direct:} routes, some thirty spans per message, are left out: they carry no trace context anywhere
 * and cost CPU for nothing (at full load 1.4–1.5 ms of CPU per API request without them, 1.8–2.0 ms with them, in
 * two back-to-back pairs on the bench rig). With an exporter every route and endpoint is a span.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", matchIfMissing = true)
public class CamelTracing {

    /** Endpoints that get no span when no span can be exported: the in-process hops between routes. */
    static final String IN_PROCESS_HOPS = "direct:";

    @Bean(initMethod = "", destroyMethod = "")
    // Camel manages the tracer's lifecycle once init(…) has added it to the context as a service
    BoundaryTracer camelTracer(CamelContext camel, ObjectProvider<Tracer> tracer,
            ObjectProvider<DefaultTracingObservationHandler> spans,
            ObjectProvider<PropagatingSenderTracingObservationHandler<?>> sending,
            ObjectProvider<PropagatingReceiverTracingObservationHandler<?>> receiving,
            ObjectProvider<SpanExporter> exporters) {
        // without an exporter no span can be seen: the in-process hops are left out
        BoundaryTracer camelTracer = new BoundaryTracer(exporters.stream().findAny().isEmpty());
        if (tracer.getIfAvailable() == null || spans.getIfAvailable() == null) {
            return camelTracer; // no tracer (tracing switched off): Camel is not traced
        }
        // the first handler that takes the kind of observation makes its span: the propagating ones (sending,
        // receiving a message) before the plain one, as Spring Boot orders them
        List<ObservationHandler<?>> handlers = new ArrayList<>();
        receiving.orderedStream().forEach(handlers::add);
        sending.orderedStream().forEach(handlers::add);
        handlers.add(spans.getObject());
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(
                new ObservationHandler.FirstMatchingCompositeObservationHandler(handlers));
        camelTracer.setTracer(tracer.getObject());
        camelTracer.setObservationRegistry(registry);
        camelTracer.addDecorator(new OrderedKafkaSpanDecorator());
        camelTracer.init(camel);
        return camelTracer;
    }

    /**
     * Camel's tracer that can leave the in-process hops out. Camel's own exclude patterns would do it too, but they
     * match every endpoint of every event against the pattern, normalising each URI first (the parameters of a Kafka
     * endpoint parsed again for each record: some 2% of the CPU under load). Here a route that starts at an in-process
     * endpoint gets no tracing policy at all, and a send to one gets a decorator that makes no span.
     */
    static final class BoundaryTracer extends MicrometerObservationTracer {

        private static final SpanDecorator NO_SPAN = new DirectSpanDecorator() {
            @Override
            public boolean newSpan() {
                return false;
            }
        };

        private final boolean leaveOutInProcessHops;

        BoundaryTracer(boolean leaveOutInProcessHops) {
            this.leaveOutInProcessHops = leaveOutInProcessHops;
        }

        @Override
        public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
            RoutePolicy policy = super.createRoutePolicy(camelContext, routeId, route);
            if (leaveOutInProcessHops && route instanceof RouteDefinition definition && definition.getInput() != null
                    && isInProcess(definition.getInput().getEndpointUri())) {
                return null;
            }
            return policy;
        }

        @Override
        protected SpanDecorator getSpanDecorator(Endpoint endpoint) {
            if (leaveOutInProcessHops && isInProcess(endpoint.getEndpointUri())) {
                return NO_SPAN;
            }
            return super.getSpanDecorator(endpoint);
        }

        private static boolean isInProcess(String uri) {
            return uri != null && uri.startsWith(IN_PROCESS_HOPS);
        }
    }
}
