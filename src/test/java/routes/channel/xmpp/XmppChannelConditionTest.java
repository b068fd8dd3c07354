package routes.channel.xmpp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import routes.channel.ChannelRegistration;

/** The channel is off unless both host and user are set; its settings are checked at start-up. */
class XmppChannelConditionTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(XmppProperties.class)
    static class Properties {
    }

    /** Every XMPP bean and route; the condition is decided before any of them would need its collaborators. */
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, XmppChannel.class, XmppClient.class, XmppIngressRoutes.class,
                    XmppEgressRoutes.class, XmppIngressErrors.class);

    @Test
    void theChannelIsOffWhenNotConfigured() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(ChannelRegistration.class);
            assertThat(context).doesNotHaveBean(XmppClient.class);
            assertThat(context).doesNotHaveBean(XmppIngressRoutes.class);
            assertThat(context).doesNotHaveBean(XmppEgressRoutes.class);
        });
        runner.withPropertyValues("caravan.channels.xmpp.host=", "caravan.channels.xmpp.user=bot")
                .run(context -> assertThat(context).doesNotHaveBean(ChannelRegistration.class));
        runner.withPropertyValues("caravan.channels.xmpp.host=xmpp.example.org")
                .run(context -> assertThat(context).doesNotHaveBean(ChannelRegistration.class));
    }

    @Test
    void aConfiguredChannelRegistersItsReplyTopic() {
        new ApplicationContextRunner()
                .withUserConfiguration(Properties.class, XmppChannel.class)
                .withPropertyValues("caravan.channels.xmpp.host=xmpp.example.org", "caravan.channels.xmpp.user=bot",
                        "caravan.channels.xmpp.password=pw")
                .run(context -> assertThat(context.getBean(ChannelRegistration.class).name()).isEqualTo("xmpp"));
    }

    @Test
    void wrongSettingsFailStartUpWithTheirName() {
        var configured = new ApplicationContextRunner()
                .withUserConfiguration(Properties.class, XmppChannel.class)
                .withPropertyValues("caravan.channels.xmpp.host=xmpp.example.org", "caravan.channels.xmpp.user=bot");
        configured.run(context -> assertThat(context).getFailure().rootCause()
                .hasMessageContaining("caravan.channels.xmpp.password"));
        configured.withPropertyValues("caravan.channels.xmpp.password=pw", "caravan.channels.xmpp.rooms[0]=a b@c@d")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("caravan.channels.xmpp.rooms"));
    }

    @Test
    void thePasswordIsNeverPrinted() {
        XmppProperties properties = new XmppProperties();
        properties.setUser("bot@example.org");
        properties.setPassword("hunter2-secret");
        properties.setTrustStorePassword("store-secret");
        assertThat(properties.toString()).doesNotContain("hunter2-secret").doesNotContain("store-secret")
                .contains("bot@example.org");
        assertThat(properties.accountJid()).isEqualTo("bot@example.org");
        assertThat(properties.effectiveNickname()).isEqualTo("bot");
    }
}
