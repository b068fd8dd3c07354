package routes.channel.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;

/** The server's WebSocket frames. Their JSON is a public contract (README): fields, names and order stay put. */
final class WebSocketFrames {

    private WebSocketFrames() {
    }

    static String accepted(String id) {
        return EnvelopeCodec.mapper().createObjectNode().put("type", "accepted").put("id", id).toString();
    }

    static String delta(String inReplyTo, String chatId, String text) {
        return EnvelopeCodec.mapper().createObjectNode()
                .put("type", "delta")
                .put("inReplyTo", inReplyTo)
                .put("chatId", chatId)
                .put("text", text)
                .toString();
    }

    static String reply(Envelope reply) {
        ObjectNode frame = EnvelopeCodec.mapper().createObjectNode()
                .put("type", "reply")
                .put("inReplyTo", reply.inReplyTo())
                .put("chatId", reply.chatId())
                .put("text", reply.text());
        if (reply.meta("error") != null) {
            frame.put("error", reply.meta("error"));
        }
        return frame.toString();
    }

    static String error(String code, String message, String id) {
        var node = EnvelopeCodec.mapper().createObjectNode()
                .put("type", "error")
                .put("code", code)
                .put("message", message);
        if (id != null) {
            node.put("id", id);
        }
        return node.toString();
    }
}
