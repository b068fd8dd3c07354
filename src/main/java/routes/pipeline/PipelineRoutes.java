package routes.pipeline;

import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.envelope.Turn;
import routes.infra.InstanceIdentity;
import routes.infra.KafkaProperties;
import routes.model.ModelReply;
import routes.model.ModelRouter;
import routes.model.RoutingHeaders;
import routes.ops.logging.ContentLog;
import routes.ops.logging.MessageMdc;

/**
 * The processor routes: consume accepted messages, answer each once, publish the reply.
 *
 * <p>One consumer per priority topic, each with its own in-flight budget, so a batch backlog never delays urgent
 * work. A record's offset is committed only after its reply is on the outbound topic; a redelivered record finds
 * its id in the Redis dedupe repository and produces no second reply.
 */
@Component
public class PipelineRoutes extends RouteBuilder {

    private final KafkaProperties kafka;
    private final PipelineProperties pipeline;
    private final InstanceIdentity identity;
    private final IdempotentRepository dedupeRepository;
    private final SessionStore sessions;
    private final ModelCall modelCall;
    private final ModelRouter router;
    private final Guards guards;
    private final BuiltInCommands commands;
    private final UsageRecorder usage;
    private final AccessPolicy access;
    private final routes.ops.PipelineMetrics metrics;
    private final ContentLog contentLog;
    private final ContentFilterStep contentFilter;
    private final SensitiveWords sensitiveWords;
    private final ContentFilterProperties contentFilterProperties;

    public PipelineRoutes(KafkaProperties kafka, PipelineProperties pipeline, InstanceIdentity identity,
            @org.springframework.beans.factory.annotation.Qualifier("dedupeRepository") IdempotentRepository dedupeRepository,
            SessionStore sessions, ModelCall modelCall, ModelRouter router, Guards guards, BuiltInCommands commands,
            UsageRecorder usage, AccessPolicy access, routes.ops.PipelineMetrics metrics, ContentLog contentLog,
            ContentFilterStep contentFilter, SensitiveWords sensitiveWords,
            ContentFilterProperties contentFilterProperties) {
        this.kafka = kafka;
        this.pipeline = pipeline;
        this.identity = identity;
        this.dedupeRepository = dedupeRepository;
        this.sessions = sessions;
        this.modelCall = modelCall;
        this.router = router;
        this.guards = guards;
        this.commands = commands;
        this.usage = usage;
        this.access = access;
        this.metrics = metrics;
        this.contentLog = contentLog;
        this.contentFilter = contentFilter;
        this.sensitiveWords = sensitiveWords;
        this.contentFilterProperties = contentFilterProperties;
    }

    @Override
    public void configure() {
        for (Priority priority : Priority.values()) {
            String topic = kafka.getTopics().inbound(priority);
            from(consumerUri(kafka, topic, pipeline.getGroupId(), identity,
                    kafka.getConsumer().maxConcurrency(priority)))
                    .routeId("pipeline-consume-" + priority.json())
                    .routeConfigurationId("pipeline")
                    .process(PipelineErrorHandling::captureSource)
                    .to("direct:pipeline");
        }

        // the direct: steps have no error handler of their own: a failure reaches the consuming route's handler,
        // which redelivers the whole (idempotent) pipeline or dead-letters the record
        from("direct:pipeline").routeId("pipeline")
                .errorHandler(noErrorHandler())
                .process(this::decode)
                .idempotentConsumer(exchangeProperty(PipelineConstants.DEDUPE_KEY))
                    .idempotentRepository(dedupeRepository)
                    .eager(false)
                    .skipDuplicate(true)
                    .process(exchange -> contentLog.inbound(exchange.getProperty(PipelineConstants.INBOUND,
                            Envelope.class)))
                    // each guard may answer the message itself (a stranger, blocked content, over a limit, a
                    // built-in command): then the steps that would call the model are skipped, and that answer is
                    // the reply
                    .to("direct:access-policy")
                    .filter(PipelineRoutes::unanswered)
                        .to("direct:content-filter-input")
                    .end()
                    .filter(PipelineRoutes::unanswered)
                        .to("direct:rate-limit")
                    .end()
                    .filter(PipelineRoutes::unanswered)
                        .to("direct:commands")
                    .end()
                    .filter(PipelineRoutes::unanswered)
                        .to("direct:session-load")
                        .to("direct:model-route")
                        .to("direct:budget")
                    .end()
                    .filter(PipelineRoutes::unanswered)
                        .to("direct:model-call")
                    .end()
                    .filter(exchangeProperty(PipelineConstants.SILENT).isNull())
                        .to("direct:content-filter-output")
                        .to("direct:reply-publish")
                    .end()
                    .to("direct:session-append")
                    .to("direct:usage")
                .end();

        // on the platforms, only allowlisted or paired senders get through
        from("direct:access-policy").routeId("pipeline-access-policy")
                .errorHandler(noErrorHandler())
                .process(access::check);

        // sensitive words: masked, blocked or flagged as configured; each match writes an audit event
        from("direct:content-filter-input").routeId("pipeline-content-filter-input")
                .errorHandler(noErrorHandler())
                .process(contentFilter::input);

        from("direct:content-filter-output").routeId("pipeline-content-filter-output")
                .errorHandler(noErrorHandler())
                .process(contentFilter::output);

        if (sensitiveWords.file() != null) {
            from("timer:content-filter-reload?period=" + contentFilterProperties.getReloadInterval().toMillis())
                    .routeId("content-filter-reload")
                    .process(exchange -> sensitiveWords.reloadIfChanged());
        }

        from("direct:rate-limit").routeId("pipeline-rate-limit")
                .errorHandler(noErrorHandler())
                .process(guards::rateLimit);

        from("direct:commands").routeId("pipeline-commands")
                .errorHandler(noErrorHandler())
                .process(commands);

        from("direct:budget").routeId("pipeline-budget")
                .errorHandler(noErrorHandler())
                .process(guards::budget);

        // what the answer cost: the usage topic, the sender's daily counters, metrics
        from("direct:usage").routeId("pipeline-usage")
                .errorHandler(noErrorHandler())
                .filter(exchangeProperty(PipelineConstants.MODEL_REPLY).isNotNull())
                    .process(usage::record)
                    .to("kafka:{{caravan.kafka.topics.usage}}")
                .end();

        from("direct:session-load").routeId("pipeline-session-load")
                .errorHandler(noErrorHandler())
                .process(this::loadHistory);

        // the profile: named by the message, switched by hand, or chosen by the integrator's rules in YAML
        from("direct:model-route").routeId("pipeline-model-route")
                .errorHandler(noErrorHandler())
                .process(exchange -> router.prepare(exchange,
                        exchange.getProperty(PipelineConstants.INBOUND, Envelope.class),
                        exchange.getProperty(PipelineConstants.INBOUND, Envelope.class).meta(ModelCall.META_PROFILE)))
                .filter(ModelRouter::undecided)
                    .to(ModelRouter.RULES)
                .end()
                .process(router::afterRules)
                .process(exchange -> RoutingHeaders.removeAll(exchange.getMessage()))
                .setBody(exchangeProperty(PipelineConstants.INBOUND));

        from("direct:model-call").routeId("pipeline-model-call")
                .errorHandler(noErrorHandler())
                .process(modelCall);

        from("direct:reply-publish").routeId("pipeline-reply-publish")
                .errorHandler(noErrorHandler())
                .process(exchange -> {
                    Envelope reply = exchange.getProperty(PipelineConstants.REPLY, Envelope.class);
                    metrics.replied(exchange.getProperty(PipelineConstants.INBOUND, Envelope.class),
                            reply.meta(ModelCall.META_ERROR));
                    contentLog.reply(reply);
                    exchange.getMessage().setBody(reply);
                    exchange.getMessage().setHeader(KafkaPublishRoute.TOPIC,
                            kafka.getTopics().outbound(reply.channel()));
                })
                .to("direct:publish");

        from("direct:session-append").routeId("pipeline-session-append")
                .errorHandler(noErrorHandler())
                .process(this::appendHistory);
    }

    /** The URI of an ordered consumer of {@code topic} in {@code group}, tuned from configuration. */
    public static String consumerUri(KafkaProperties kafka, String topic, String group, InstanceIdentity identity) {
        return consumerUri(kafka, topic, group, identity, kafka.getConsumer().getMaxConcurrency());
    }

    /** The same, with its own in-flight cap. */
    public static String consumerUri(KafkaProperties kafka, String topic, String group, InstanceIdentity identity,
            int maxConcurrency) {
        KafkaProperties.Consumer c = kafka.getConsumer();
        String uri = "ordered-kafka:" + topic + "?groupId=" + group
                + "&maxConcurrency=" + maxConcurrency
                + "&commitIntervalMs=" + c.getCommitInterval().toMillis()
                + "&sessionTimeoutMs=" + c.getSessionTimeout().toMillis()
                + "&busyThreshold=" + c.getBusyThreshold()
                + "&busyPauseMs=" + c.getBusyPause().toMillis()
                + "&clientId=" + identity.id() + "-" + topic;
        if (c.isStaticMembership()) {
            uri += "&groupInstanceId=" + identity.id() + "-" + topic;
        }
        return uri;
    }

    /** Whether no step has answered the message yet. */
    static boolean unanswered(Exchange exchange) {
        return exchange.getProperty(PipelineConstants.REPLY) == null;
    }

    private void decode(Exchange exchange) {
        byte[] raw = exchange.getProperty(PipelineConstants.RAW, byte[].class);
        guards.requireProcessableSize(raw);
        Envelope inbound = EnvelopeCodec.decode(raw);
        MessageMdc.attach(exchange, inbound);
        exchange.setProperty(PipelineConstants.INBOUND, inbound);
        exchange.setProperty(PipelineConstants.DEDUPE_KEY, inbound.dedupeKey());
        exchange.getMessage().setBody(inbound);
    }

    private void loadHistory(Exchange exchange) {
        Envelope inbound = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        List<Turn> history = ModelCall.isStateless(inbound)
                ? (inbound.context() == null ? List.of() : inbound.context())
                : sessions.history(inbound.channel(), inbound.chatId());
        exchange.setProperty(PipelineConstants.HISTORY, history);
    }

    @SuppressWarnings("unchecked")
    private void appendHistory(Exchange exchange) {
        Envelope inbound = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        ModelReply reply = exchange.getProperty(PipelineConstants.MODEL_REPLY, ModelReply.class);
        if (reply == null || ModelCall.isStateless(inbound)) {
            return;
        }
        List<Turn> history = exchange.getProperty(PipelineConstants.HISTORY, List.class);
        sessions.append(inbound.channel(), inbound.chatId(), Guards.user(inbound), history,
                Turn.user(inbound.text(), inbound.id()), Turn.assistant(reply.text(), null));
    }
}
