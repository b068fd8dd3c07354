package routes.channel.whatsapp;

import java.net.http.HttpClient;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.channel.ChannelRegistration;

/** Beans of the WhatsApp channel, present when {@code caravan.channels.whatsapp.access-token} is set. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWhatsApp
public class WhatsAppConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(WhatsAppConfiguration.class);

    /** Creates {@code caravan.outbound.whatsapp} at start-up. */
    @Bean
    ChannelRegistration whatsappChannel(WhatsAppProperties properties) {
        if (properties.getAppSecret().isBlank()) {
            LOG.warn("WhatsApp channel is on but caravan.channels.whatsapp.app-secret is not set: "
                    + "every webhook call is refused until it is");
        }
        if (properties.getVerifyToken().isBlank()) {
            LOG.warn("WhatsApp channel is on but caravan.channels.whatsapp.verify-token is not set: "
                    + "Meta cannot subscribe the webhook");
        }
        if (properties.getTemplateName().isBlank()) {
            LOG.warn("caravan.channels.whatsapp.template-name is not set: replies after the 24-hour window "
                    + "cannot be sent and go to the DLQ");
        }
        LOG.info("WhatsApp channel on: webhook at {}, replies through {}", WhatsAppConstants.WEBHOOK_PATH,
                properties.apiBase());
        return new ChannelRegistration(WhatsAppConstants.CHANNEL);
    }

    @Bean
    WhatsAppApi whatsappApi(WhatsAppProperties properties) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(properties.getTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        return new WhatsAppApi(http, properties.apiBase(), properties.getAccessToken(), properties.getTimeout());
    }

    @Bean
    ServiceWindow whatsappServiceWindow(StringRedisTemplate redis, WhatsAppProperties properties) {
        return new ServiceWindow(redis, properties.getServiceWindow(), Clock.systemUTC());
    }
}
