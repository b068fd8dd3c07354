package routes.channel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.Ids;
import routes.infra.KafkaProperties;
import routes.pipeline.KafkaPublishRoute;

/**
 * {@code direct:broadcast}: one message to every member chat of a configured group. Each member gets a reply
 * envelope on its channel's outbound topic, so delivery goes through that channel's egress: the same throttles,
 * retries, dedupe and DLQ as any reply.
 *
 * <p>Headers in: {@link #GROUP} (a group of {@code caravan.broadcast.groups}), {@link #BROADCAST_ID} (optional,
 * makes a repeated broadcast idempotent); body: the text. Body out: the number of member chats.
 */
@Component
public class BroadcastRoute extends RouteBuilder {

    public static final String GROUP = "CaravanBroadcastGroup";
    public static final String BROADCAST_ID = "CaravanBroadcastId";

    private final BroadcastProperties properties;
    private final KafkaProperties kafka;

    public BroadcastRoute(BroadcastProperties properties, KafkaProperties kafka) {
        this.properties = properties;
        this.kafka = kafka;
    }

    @Override
    public void configure() {
        from("direct:broadcast").routeId("broadcast")
                .process(this::members)
                .split(body())
                    .process(exchange -> exchange.getMessage().setHeader(KafkaPublishRoute.TOPIC,
                            kafka.getTopics().outbound(exchange.getMessage().getBody(Envelope.class).channel())))
                    .to("direct:publish")
                .end()
                .setBody(exchangeProperty("CaravanBroadcastMembers"));
    }

    private void members(Exchange exchange) {
        String group = exchange.getMessage().getHeader(GROUP, String.class);
        String text = exchange.getMessage().getBody(String.class);
        List<String> members = group == null ? null : properties.getGroups().get(group);
        if (members == null) {
            throw new IllegalArgumentException("no broadcast group '" + group + "'");
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a broadcast needs text");
        }
        String id = exchange.getMessage().getHeader(BROADCAST_ID, Ids.newId(), String.class);
        List<Envelope> replies = new ArrayList<>();
        for (String member : members) {
            int colon = member.indexOf(':');
            if (colon <= 0 || colon == member.length() - 1) {
                throw new IllegalArgumentException("broadcast member '" + member + "' is not channel:chatId");
            }
            String channel = member.substring(0, colon);
            String chatId = member.substring(colon + 1);
            replies.add(Envelope.builder()
                    .id(Ids.replyId("broadcast-" + id))
                    .inReplyTo("broadcast-" + id)
                    .traceId(Ids.newTraceId())
                    .channel(channel)
                    .chatId(chatId)
                    .chatType(ChatType.GROUP)
                    .text(text)
                    .receivedAt(Instant.now())
                    .meta("broadcast", group)
                    .build());
        }
        exchange.setProperty("CaravanBroadcastMembers", replies.size());
        exchange.getMessage().setBody(replies);
    }
}
