package routes.channel.mqtt;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.channel.ChannelRegistration;

/** The MQTT channel's registration, present only when it is configured. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMqtt
public class MqttChannel {

    @Bean
    ChannelRegistration mqttChannelRegistration() {
        return new ChannelRegistration(MqttConstants.CHANNEL);
    }
}
