package routes.channel.xmpp;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jxmpp.jid.impl.JidCreate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.channel.ChannelRegistration;

/** The XMPP channel's registration, present only when it is configured. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnXmpp
public class XmppChannel {

    @Bean
    ChannelRegistration xmppChannelRegistration(XmppProperties properties) {
        validate(properties);
        return new ChannelRegistration(XmppConstants.CHANNEL);
    }

    /** Fails start-up with the name of the setting that is wrong, rather than failing every message later. */
    static void validate(XmppProperties properties) {
        if (properties.getPort() < 1 || properties.getPort() > 65535) {
            throw new IllegalStateException("caravan.channels.xmpp.port must be between 1 and 65535");
        }
        try {
            JidCreate.entityBareFrom(properties.accountJid());
        } catch (Exception e) {
            throw new IllegalStateException("caravan.channels.xmpp.user (and domain) do not make a JID");
        }
        if (properties.getPassword().isEmpty()) {
            throw new IllegalStateException("caravan.channels.xmpp.password is required");
        }
        for (String room : properties.getRooms()) {
            try {
                JidCreate.entityBareFrom(room);
            } catch (Exception e) {
                throw new IllegalStateException("caravan.channels.xmpp.rooms: " + room
                        + " is not a room JID (room@conference.example.org)");
            }
        }
        if (properties.getMaxText() < 100) {
            throw new IllegalStateException("caravan.channels.xmpp.max-text must be at least 100");
        }
        var limits = properties.getRateLimit();
        if (limits.getChatPerSecond() < 1 || limits.getAccountPerSecond() < 1) {
            throw new IllegalStateException("caravan.channels.xmpp.rate-limit.* must be at least 1");
        }
        if (!properties.getTrustStore().isEmpty() && !Files.isReadable(Path.of(properties.getTrustStore()))) {
            throw new IllegalStateException("caravan.channels.xmpp.trust-store cannot be read");
        }
    }
}
