package routes.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.HeaderWriterFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import routes.ops.AdminProperties;
import routes.ops.AuditLog;
import routes.tools.mcp.McpProperties;

/**
 * Who may call what on the one HTTP port. Public: platform webhooks (each checks its platform's signature), the
 * health endpoint and the web chat's static files. Role {@code user}: chatting (WebSocket, REST, OpenAI-compatible
 * API). Role {@code dev}: models, routes and tools (profile switch, route and channel state, MCP, metrics), no
 * user data. Role {@code admin}: everything, including users' data, pairing, the DLQ and Hawtio.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfig {

    /** Paths anyone may call. */
    static final String[] PUBLIC = {"/webhooks/**", "/actuator/health", "/actuator/health/**", "/", "/index.html",
        "/app.js", "/style.css", "/favicon.svg", "/favicon.ico", "/error"};

    /** Paths for chatting. */
    static final String[] USER = {"/ws", "/ws/**", "/api/v1/messages", "/api/v1/messages/**", "/v1/**"};

    /** Paths for developers: models, routes, tools, metrics. */
    static final String[] DEV = {"/admin/profile", "/admin/profile/**", "/api/v1/admin/profile", "/admin/routes",
        "/admin/routes/**", "/admin/channels", "/admin/channels/**", "/admin/tools", "/admin/tools/**",
        "/actuator/prometheus", "/actuator/info", "/actuator/metrics", "/actuator/metrics/**"};

    /** The Hawtio console and its Jolokia endpoint. */
    static final RequestMatcher CONSOLE = matcher("/hawtio", "/hawtio/**", "/actuator/hawtio", "/actuator/hawtio/**",
            "/actuator/jolokia", "/actuator/jolokia/**");

    @Bean
    SecurityFilterChain caravanSecurity(HttpSecurity http, AuthProperties auth, AdminProperties admin,
            org.springframework.beans.factory.ObjectProvider<McpProperties> mcp, AuditLog audit) throws Exception {
        RequestMatcher publicPaths = matcher(PUBLIC);
        List<AuthProperties.NamedToken> extra = new ArrayList<>();
        extra.add(token("admin-token", admin.getToken(), Role.ADMIN));
        String mcpPath = "/mcp";
        McpProperties mcpProperties = mcp.getIfAvailable();
        if (mcpProperties != null) {
            extra.add(token("mcp-token", mcpProperties.getServer().getToken(), Role.DEV));
            mcpPath = mcpProperties.getServer().getPath();
        }
        Predicate<HttpServletRequest> isPublic = publicPaths::matches;
        RequestMatcher mcpPaths = matcher(mcpPath, mcpPath + "/**");
        GatewayAuthentication authentication = new GatewayAuthentication(auth, extra, jwtDecoder(auth), audit,
                isPublic);
        http.csrf(csrf -> csrf.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // security headers go on before a request is handled: the webhooks (Camel platform-http) answer
                // on another thread, and headers added after the chain raced with that answer on one response
                // (Undertow's header map is not thread-safe: a webhook was answered 500 now and then)
                .headers(headers -> headers.withObjectPostProcessor(
                        new org.springframework.security.config.ObjectPostProcessor<HeaderWriterFilter>() {
                            @Override
                            public <O extends HeaderWriterFilter> O postProcess(O filter) {
                                filter.setShouldWriteHeadersEagerly(true);
                                return filter;
                            }
                        }))
                .addFilterBefore(authentication, AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(rules -> rules
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers(publicPaths).permitAll()
                        .requestMatchers(matcher(USER)).hasRole(Role.USER.name())
                        .requestMatchers(matcher(DEV)).hasRole(Role.DEV.name())
                        .requestMatchers(mcpPaths).hasRole(Role.DEV.name())
                        .anyRequest().hasRole(Role.ADMIN.name()))
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> {
                            // a browser opening the console gets its sign-in prompt (any user, the token as password)
                            response.setHeader("WWW-Authenticate", CONSOLE.matches(request)
                                    ? "Basic realm=\"caravan\"" : "Bearer realm=\"caravan\"");
                            routes.channel.web.ApiError.write(response, 401, "unauthenticated", authentication
                                    .authenticationConfigured()
                                    ? "Send the gateway token (Authorization: Bearer …, or ?token= for a browser)."
                                    : "Without caravan.auth.token Caravan answers callers on this machine only.");
                        })
                        .accessDeniedHandler((request, response, e) -> routes.channel.web.ApiError.write(response, 403,
                                "forbidden", "Your role may not do this (" + Caller.current()
                                        .map(c -> c.role().id()).orElse("none") + ").")));
        return http.build();
    }

    private static AuthProperties.NamedToken token(String name, String value, Role role) {
        AuthProperties.NamedToken token = new AuthProperties.NamedToken();
        token.setName(name);
        token.setToken(value);
        token.setRole(role);
        return token;
    }

    /** Validates JWTs against the configured key set, issuer, audience and lifetime; null when JWT is off. */
    static JwtDecoder jwtDecoder(AuthProperties auth) {
        AuthProperties.Jwt settings = auth.getJwt();
        if (!settings.isEnabled()) {
            return null;
        }
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(settings.getJwksUri()).build();
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(new JwtTimestampValidator(settings.getClockSkew()));
        if (!settings.getIssuer().isBlank()) {
            validators.add(new JwtIssuerValidator(settings.getIssuer()));
        }
        if (!settings.getAudience().isBlank()) {
            String audience = settings.getAudience();
            validators.add(new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience)));
        }
        // a token without an expiry never ends: refuse it
        validators.add(new JwtClaimValidator<Object>("exp", exp -> exp != null));
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }

    private static RequestMatcher matcher(String... patterns) {
        List<RequestMatcher> matchers = new ArrayList<>();
        for (String pattern : patterns) {
            matchers.add(PathPatternRequestMatcher.withDefaults().matcher(pattern));
        }
        return new OrRequestMatcher(matchers);
    }
}
