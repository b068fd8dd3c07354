package routes.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import routes.infra.InstanceIdentity;

/** Logs the one line a newcomer looks for: where the web chat is. */
@Component
public class StartupBanner {

    private static final Logger LOG = LoggerFactory.getLogger(StartupBanner.class);

    private final Environment environment;
    private final InstanceIdentity identity;
    private final routes.model.ModelProperties models;
    private final routes.security.AuthProperties auth;

    public StartupBanner(Environment environment, InstanceIdentity identity, routes.model.ModelProperties models,
            routes.security.AuthProperties auth) {
        this.environment = environment;
        this.identity = identity;
        this.models = models;
        this.auth = auth;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void ready() {
        String address = environment.getProperty("server.address", "127.0.0.1");
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "18789"));
        String host = "0.0.0.0".equals(address) || "::".equals(address) ? "localhost" : address;
        LOG.info("Caravan is ready: web chat at http://{}:{}/ (instance {})", host, port, identity.id());
        if (auth.isConfigured()) {
            LOG.info("Authentication is on: listening on {}; callers need the gateway token or a valid JWT", address);
        } else {
            LOG.info("No authentication configured (caravan.auth.token): listening on {} only, every local caller is "
                    + "trusted", address);
        }
        boolean anyProvider = models.getProviders().values().stream()
                .anyMatch(routes.model.ModelProperties.Provider::isConfigured);
        if (!anyProvider) {
            LOG.warn("No model provider is configured: messages will be answered with setup instructions. "
                    + "Set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server).");
        }
    }
}
