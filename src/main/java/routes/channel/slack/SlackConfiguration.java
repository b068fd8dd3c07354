package routes.channel.slack;

import java.net.http.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.channel.ChannelRegistration;

/** Beans of the Slack channel, present when {@code caravan.channels.slack.bot-token} is set. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSlack
public class SlackConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SlackConfiguration.class);

    /** Creates {@code caravan.outbound.slack} at start-up. */
    @Bean
    ChannelRegistration slackChannel(SlackProperties properties) {
        if (properties.getEditInterval() == null || properties.getEditInterval().isNegative()
                || properties.getEditInterval().isZero()) {
            throw new IllegalStateException("caravan.channels.slack.edit-interval must be positive");
        }
        if (properties.getSigningSecret().isBlank()) {
            LOG.warn("Slack channel is on but caravan.channels.slack.signing-secret is not set: "
                    + "every call to {} is refused until it is", SlackConstants.EVENTS_PATH);
        } else {
            LOG.info("Slack channel on: events at {}, replies through {}", SlackConstants.EVENTS_PATH,
                    properties.apiBase());
        }
        return new ChannelRegistration(SlackConstants.CHANNEL);
    }

    @Bean
    SlackApi slackApi(SlackProperties properties) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(properties.getTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        return new SlackApi(http, properties.apiBase(), properties.getBotToken(), properties.getTimeout());
    }
}
