package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import routes.support.CaravanIntegrationTest;
import routes.support.WsTestClient;

/**
 * The gateway with authentication on, called from outside: without, with wrong, with expired tokens; each role
 * against what it may and may not do; browsers' {@code ?token=}; and where the server listens.
 */
@TestPropertySource(properties = {
    "caravan.auth.token=" + GatewaySecurityTest.GATEWAY,
    "caravan.auth.tokens[0].name=web-frontend",
    "caravan.auth.tokens[0].token=" + GatewaySecurityTest.USER,
    "caravan.auth.tokens[0].role=user",
    "caravan.auth.tokens[1].name=developer",
    "caravan.auth.tokens[1].token=" + GatewaySecurityTest.DEV,
    "caravan.auth.tokens[1].role=dev",
    "caravan.auth.jwt.issuer=" + JwtIssuer.ISSUER,
    "caravan.auth.jwt.audience=" + JwtIssuer.AUDIENCE,
    "caravan.mcp.clients.self.token=" + GatewaySecurityTest.DEV
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class GatewaySecurityTest extends CaravanIntegrationTest {

    static final String GATEWAY = "gw-5f1c0e7a9b2d4c6e8f0a1b3c5d7e9f20";
    static final String USER = "user-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d";
    static final String DEV = "dev-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

    private static final JwtIssuer IDP = new JwtIssuer();

    @DynamicPropertySource
    static void identityProvider(DynamicPropertyRegistry registry) {
        registry.add("caravan.auth.jwt.jwks-uri", IDP::jwksUri);
    }

    @AfterAll
    static void stopIdentityProvider() {
        IDP.close();
    }

    private HttpResponse<String> call(String method, String path, String bearer, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String message(String chat) {
        return "{\"chatId\":\"" + chat + "\",\"text\":\"hello\"}";
    }

    @Test
    void everyInterfaceRefusesACallerWithoutAToken() throws Exception {
        for (String[] endpoint : new String[][] {
            {"POST", "/api/v1/messages", message(uniqueChat("noauth"))},
            {"POST", "/v1/chat/completions", "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"},
            {"GET", "/v1/models", null},
            {"GET", "/admin/profile", null},
            {"GET", "/api/v1/admin/profile", null},
            {"DELETE", "/admin/users/rest/someone", null},
            {"GET", "/actuator/prometheus", null},
            {"POST", "/mcp", "{}"}}) {
            HttpResponse<String> response = call(endpoint[0], endpoint[1], null, endpoint[2]);
            assertThat(response.statusCode()).as(endpoint[1]).isEqualTo(401);
            assertThat(response.body()).as(endpoint[1]).contains("\"code\":\"unauthenticated\"");
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(endpoint[1]).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer"));
        }
        assertThatThrownBy(() -> WsTestClient.connect(baseUrl())).hasStackTraceContaining("401");
    }

    @Test
    void publicPathsNeedNoToken() throws Exception {
        assertThat(call("GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> page = call("GET", "/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<html");
        // a webhook is judged by its platform's signature, not by the gateway token
        assertThat(call("POST", "/webhooks/slack", null, "{}").statusCode()).isNotIn(401, 403);
    }

    @Test
    void aWrongTokenIsRefusedEverywhere() throws Exception {
        HttpResponse<String> response = call("POST", "/api/v1/messages", "not-the-token", message(uniqueChat("w")));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("invalid_token").doesNotContain(GATEWAY);
        assertThat(call("GET", "/admin/profile", GATEWAY + "x", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/admin/profile", GATEWAY.substring(0, 20), null).statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> WsTestClient.connect(URI.create(baseUrl().replace("http", "ws")
                + "/ws?token=wrong"))).hasStackTraceContaining("401");
    }

    @Test
    void theGatewayTokenOpensEverything() throws Exception {
        assertThat(call("POST", "/api/v1/messages", GATEWAY, message(uniqueChat("gw"))).statusCode()).isEqualTo(202);
        assertThat(call("GET", "/admin/profile", GATEWAY, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/actuator/prometheus", GATEWAY, null).statusCode()).isEqualTo(200);
        HttpResponse<String> basic = HTTP.send(HttpRequest.newBuilder(uri("/admin/profile"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        ("admin:" + GATEWAY).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(basic.statusCode()).as("HTTP Basic with the token as password, for browsers").isEqualTo(200);
    }

    @Test
    void theConsoleIsForAdminsAndPromptsABrowserToSignIn() throws Exception {
        HttpResponse<String> anonymous = call("GET", "/actuator/hawtio/", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Basic"));
        assertThat(call("GET", "/actuator/hawtio/", USER, null).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/actuator/hawtio/", DEV, null).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/actuator/jolokia", DEV, "{\"type\":\"version\"}").statusCode()).isEqualTo(403);
        HttpResponse<String> admin = HTTP.send(HttpRequest.newBuilder(uri("/actuator/hawtio/"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        ("ops:" + GATEWAY).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).isEqualTo(200);
    }

    @Test
    void aBrowserWebSocketSendsItsTokenInTheQuery() {
        String chat = uniqueChat("ws-auth");
        try (WsTestClient ws = WsTestClient.connect(URI.create(baseUrl().replace("http", "ws") + "/ws?chatId="
                + chat + "&token=" + USER))) {
            ws.sendMessage(null, null, "hello over an authenticated socket");
            assertThat(ws.await(f -> "reply".equals(f.path("type").asText()), Duration.ofSeconds(30)).path("text")
                    .asText()).isNotBlank();
        }
    }

    @Test
    void aUserMayChatButNotAdminister() throws Exception {
        assertThat(call("POST", "/api/v1/messages", USER, message(uniqueChat("u"))).statusCode()).isEqualTo(202);
        for (String[] endpoint : new String[][] {
            {"GET", "/admin/profile"}, {"PUT", "/admin/profile"}, {"DELETE", "/admin/users/rest/x"},
            {"GET", "/admin/pairing"}, {"GET", "/actuator/prometheus"}, {"POST", "/mcp"}}) {
            HttpResponse<String> response = call(endpoint[0], endpoint[1], USER,
                    endpoint[0].equals("GET") || endpoint[0].equals("DELETE") ? null : "{\"profile\":\"coding\"}");
            assertThat(response.statusCode()).as(endpoint[1]).isEqualTo(403);
            assertThat(response.body()).as(endpoint[1]).contains("\"code\":\"forbidden\"", "(user)");
        }
    }

    @Test
    void aDeveloperWorksOnModelsButSeesNoUserData() throws Exception {
        assertThat(call("GET", "/admin/profile", DEV, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/actuator/prometheus", DEV, null).statusCode()).isEqualTo(200);
        assertThat(call("DELETE", "/admin/users/rest/x", DEV, null).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/admin/pairing", DEV, null).statusCode()).isEqualTo(403);
    }

    @Test
    void aValidJwtIsAcceptedWithTheRolesOfItsClaim() throws Exception {
        String user = IDP.token("alice", List.of("user"));
        String admin = IDP.token("root", List.of("staff", "admin"));
        assertThat(call("POST", "/api/v1/messages", user, message(uniqueChat("jwt"))).statusCode()).isEqualTo(202);
        assertThat(call("GET", "/admin/profile", user, null).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/admin/profile", admin, null).statusCode()).isEqualTo(200);
    }

    @Test
    void expiredForgedOrMisaddressedJwtsAreRefused() throws Exception {
        HttpResponse<String> expired = call("GET", "/admin/profile",
                IDP.token("root", List.of("admin"), Duration.ofMinutes(-5), JwtIssuer.ISSUER, JwtIssuer.AUDIENCE), null);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("token_expired");
        assertThat(call("GET", "/admin/profile", JwtIssuer.forged("root", List.of("admin")), null).statusCode())
                .isEqualTo(401);
        assertThat(call("GET", "/admin/profile", IDP.token("root", List.of("admin"), Duration.ofMinutes(5),
                "https://elsewhere.test", JwtIssuer.AUDIENCE), null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/admin/profile", IDP.token("root", List.of("admin"), Duration.ofMinutes(5),
                JwtIssuer.ISSUER, "another-app"), null).statusCode()).isEqualTo(401);
    }

    /** Posts {@code text} as {@code bearer} and waits for the reply; returns the message's status document. */
    private com.fasterxml.jackson.databind.JsonNode ask(String bearer, String chatId, String senderId, String text)
            throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String body = json.createObjectNode().put("chatId", chatId).put("senderId", senderId).put("text", text)
                .toString();
        HttpResponse<String> accepted = call("POST", "/api/v1/messages", bearer, body);
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = json.readTree(accepted.body()).path("id").asText();
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(
                () -> json.readTree(call("GET", "/api/v1/messages/" + id, bearer, null).body()),
                n -> "replied".equals(n.path("status").asText()));
    }

    @Test
    void aJwtCallerSpeaksAsItsSubjectInItsOwnConversations() throws Exception {
        String chat = uniqueChat("mine");
        var status = ask(IDP.token("alice", List.of("user")), chat, "bob", "hello as someone else");
        assertThat(status.path("chatId").asText()).isEqualTo("alice:" + chat);
    }

    @Test
    void aWebMessageCarriesTheRoleOfItsSignIn() throws Exception {
        String chat = uniqueChat("role");
        ask(IDP.token("root", List.of("staff", "dev")), chat, null, "who am I");
        var inbound = routes.support.TestInfra.kafka().readUntil("caravan.inbound",
                        r -> ("rest:root:" + chat).equals(r.key()), list -> !list.isEmpty(), Duration.ofSeconds(20))
                .stream().map(r -> routes.envelope.EnvelopeCodec.decode(r.value())).toList();
        assertThat(inbound).singleElement().satisfies(m -> {
            assertThat(m.senderId()).isEqualTo("root");
            assertThat(m.meta(WebIdentity.META_ROLE)).isEqualTo("dev");
        });
    }

    @Test
    void withAuthenticationOnItListensOnEveryInterface() throws Exception {
        assertThat(ListeningSockets.addressesListeningOn(port)).contains("0.0.0.0");
    }
}
