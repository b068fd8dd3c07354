package routes.security;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Decides where the HTTP server listens, before anything starts: without authentication
 * ({@code caravan.auth.token}, static tokens or JWT) only on 127.0.0.1; with it, on {@code caravan.http.bind-address}
 * or every interface when none is set. Asking for a non-loopback address without authentication stops the start.
 */
public class BindAddressPolicy implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE = "caravanBindAddress";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        AuthProperties auth = binder.bind("caravan.auth", AuthProperties.class).orElseGet(AuthProperties::new);
        String asked = binder.bind("caravan.http.bind-address", String.class)
                .orElseGet(() -> binder.bind("server.address", String.class).orElse(null));
        environment.getPropertySources().addFirst(new MapPropertySource(SOURCE,
                Map.of("server.address", decide(asked, auth.isConfigured()))));
    }

    /** The address to listen on, or an {@link InsecureBindingException} when {@code asked} is not allowed. */
    static String decide(String asked, boolean authenticated) {
        if (asked == null || asked.isBlank()) {
            return authenticated ? "0.0.0.0" : "127.0.0.1";
        }
        if (!authenticated && !"localhost".equalsIgnoreCase(asked.trim())
                && !GatewayAuthentication.isLoopback(asked.trim())) {
            throw new InsecureBindingException(asked.trim());
        }
        return asked.trim();
    }

    @Override
    public int getOrder() {
        // after caravan.yaml is read, before the embedded Kafka and Redis start: a refused start costs nothing
        return org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor.ORDER + 1;
    }
}
