package routes.channel.xmpp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.xmpp.XmppConsumer;
import org.apache.camel.component.xmpp.XmppMessage;
import org.apache.camel.support.DefaultMessage;
import org.jivesoftware.smack.packet.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import routes.channel.Ingress;

/**
 * Messages to the account: direct chats and the configured rooms → envelope → Kafka.
 *
 * <p>The camel-xmpp consumer logs in and receives the direct chats; once it is connected, the rooms are joined on
 * the same connection with the same consumer as their listener, so every message, direct or group, runs through
 * this one route. Stanzas that are not answered (no text, errors, the bot's own room messages, room history, group
 * messages the group policy skips) are dropped without an error.
 *
 * <p>The route does not start with the context: the server may be down when Caravan starts, and the gateway must
 * come up anyway. It is started in the background once the context has started, and again with growing pauses
 * until the server answers; after that Smack reconnects by itself.
 */
@Component
@ConditionalOnXmpp
public class XmppIngressRoutes extends RouteBuilder implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(XmppIngressRoutes.class);
    private static final long MAX_START_DELAY_MS = 60_000;

    private final XmppClient client;
    private final XmppProperties properties;
    private final Ingress ingress;
    private final Counter published;
    private final Counter ignored;
    private final ScheduledExecutorService starter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-xmpp-start");
        t.setDaemon(true);
        return t;
    });

    public XmppIngressRoutes(XmppClient client, XmppProperties properties, Ingress ingress, MeterRegistry meters) {
        this.client = client;
        this.properties = properties;
        this.ingress = ingress;
        this.published = Counter.builder("caravan.xmpp.messages").tag("outcome", "published")
                .description("XMPP messages accepted onto Kafka").register(meters);
        this.ignored = Counter.builder("caravan.xmpp.messages").tag("outcome", "ignored")
                .description("XMPP stanzas dropped without an answer").register(meters);
    }

    @Override
    public void configure() throws Exception {
        from(client.endpoint(getContext()))
                .routeId(XmppConstants.INGRESS_ROUTE)
                .routeConfigurationId(XmppIngressErrors.CONFIGURATION)
                .autoStartup(false)
                .process(this::toEnvelope)
                .filter(body().isNotNull())
                    .to("direct:publish")
                    .process(exchange -> published.increment())
                .end();
        getContext().addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // routes are not running yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                starter.execute(() -> tryStart(1_000));
            }
        });
    }

    private void toEnvelope(Exchange exchange) {
        Message stanza = exchange.getMessage() instanceof XmppMessage xmpp
                && xmpp.getXmppPacket() instanceof Message m ? m : null;
        // a fresh message: the headers the binding copied from the stanza are the sender's to choose, and an
        // XmppMessage would make its body up again from the stanza
        var in = new DefaultMessage(exchange);
        exchange.setMessage(in);
        var outcome = XmppMessages.map(stanza, client.account());
        if (outcome instanceof XmppMessages.Publish publish) {
            in.setBody(ingress.prepare(publish.envelope()));
        } else {
            ignored.increment();
            LOG.debug("XMPP stanza {} not answered: {}", stanza == null ? null : stanza.getStanzaId(),
                    ((XmppMessages.Ignore) outcome).reason());
            in.setBody(null);
        }
    }

    /** Starts the consumer and enters the rooms, retrying with growing pauses while the server cannot be reached. */
    private void tryStart(long nextDelayMs) {
        if (starter.isShutdown() || getContext().isStopping() || getContext().isStopped()) {
            return;
        }
        try {
            getContext().getRouteController().startRoute(XmppConstants.INGRESS_ROUTE);
            client.attach((XmppConsumer) getContext().getRoute(XmppConstants.INGRESS_ROUTE).getConsumer());
            LOG.info("XMPP channel logged in as {} at {}:{}, rooms {}", properties.accountJid(),
                    properties.getHost(), properties.getPort(), client.joinedRooms());
        } catch (Exception e) {
            LOG.warn("XMPP server {}:{} not usable ({}); trying again in {} s", properties.getHost(),
                    properties.getPort(), rootMessage(e), nextDelayMs / 1000);
            try {
                getContext().getRouteController().stopRoute(XmppConstants.INGRESS_ROUTE);
            } catch (Exception stop) {
                LOG.debug("stopping the XMPP ingress after a failed start", stop);
            }
            starter.schedule(() -> tryStart(Math.min(nextDelayMs * 2, MAX_START_DELAY_MS)), nextDelayMs,
                    TimeUnit.MILLISECONDS);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void destroy() {
        starter.shutdownNow();
    }
}
