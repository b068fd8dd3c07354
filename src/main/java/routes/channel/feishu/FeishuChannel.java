package routes.channel.feishu;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import routes.channel.ChannelRegistration;
import routes.channel.web.LimitsProperties;

/** The Feishu / Lark channel's beans, present only when it is configured. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnFeishu
public class FeishuChannel {

    private static final Logger LOG = LoggerFactory.getLogger(FeishuChannel.class);

    @Bean
    ChannelRegistration feishuChannelRegistration() {
        return new ChannelRegistration(FeishuConstants.CHANNEL);
    }

    @Bean
    FeishuApi feishuApi(FeishuProperties properties) {
        if (properties.getAppSecret().isEmpty()) {
            LOG.warn("caravan.channels.feishu.app-secret is not set: Feishu replies cannot be sent");
        }
        return new FeishuApi(properties, Clock.systemUTC());
    }

    @Bean
    FeishuWebhook feishuWebhook(FeishuProperties properties, LimitsProperties limits, FeishuApi api) {
        if (properties.getVerificationToken().isEmpty() && properties.getEncryptKey().isEmpty()) {
            LOG.warn("neither caravan.channels.feishu.verification-token nor encrypt-key is set: "
                    + "every Feishu event will be refused");
        }
        String configured = properties.getBotOpenId();
        return new FeishuWebhook(properties, limits.getMaxText().toBytes(),
                configured.isEmpty() ? api::botOpenId : () -> configured, Clock.systemUTC());
    }

    /** Learns the bot's open_id early, so the first group message already tells the bot's mention apart. */
    @EventListener(ApplicationReadyEvent.class)
    public void learnBotIdentity(ApplicationReadyEvent event) {
        FeishuProperties properties = event.getApplicationContext().getBean(FeishuProperties.class);
        if (properties.getBotOpenId().isEmpty() && !properties.getAppSecret().isEmpty()) {
            event.getApplicationContext().getBean(FeishuApi.class).botOpenId();
        }
    }
}
