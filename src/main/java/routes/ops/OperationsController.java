package routes.ops;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import routes.channel.ChannelRegistration;
import routes.channel.web.ApiError;
import routes.channel.web.WebChannels;

/**
 * Operating a running instance (roles: see SecurityConfig — channels for dev, the rest for admin):
 * <ul>
 *   <li>{@code GET /admin/health}: health with every component's detail</li>
 *   <li>{@code GET /admin/channels}: each channel with its Camel routes and their state;
 *       {@code POST /admin/channels/{channel}/suspend|resume}: stop or restart its routes (ingress and delivery;
 *       replies wait on Kafka meanwhile)</li>
 *   <li>{@code GET /admin/sessions}: how many conversations have a history</li>
 *   <li>{@code GET /admin/dlq?limit=50}: the newest dead letters; {@code POST /admin/dlq/redrive} with
 *       {@code {"partition":0,"offset":12}}: send one back to be processed again</li>
 * </ul>
 */
@RestController
@RequestMapping("/admin")
public class OperationsController {

    private final CamelContext camel;
    private final ObjectProvider<HealthEndpoint> health;
    private final List<ChannelRegistration> registrations;
    private final StringRedisTemplate redis;
    private final DeadLetters deadLetters;
    private final AuditLog audit;

    public OperationsController(CamelContext camel, ObjectProvider<HealthEndpoint> health,
            List<ChannelRegistration> registrations, StringRedisTemplate redis, DeadLetters deadLetters,
            AuditLog audit) {
        this.camel = camel;
        this.health = health;
        this.registrations = registrations;
        this.redis = redis;
        this.deadLetters = deadLetters;
        this.audit = audit;
    }

    @GetMapping(path = "/health", produces = "application/json")
    public ResponseEntity<?> health() {
        HealthEndpoint endpoint = health.getIfAvailable();
        if (endpoint == null) {
            return ApiError.of(404, "not_available", "The health endpoint is switched off.");
        }
        var result = endpoint.health();
        return ResponseEntity.status("UP".equals(result.getStatus().getCode()) ? 200 : 503).body(result);
    }

    @GetMapping(path = "/channels", produces = "application/json")
    public List<Map<String, Object>> channels() {
        List<Map<String, Object>> answer = new ArrayList<>();
        for (String channel : channelNames()) {
            answer.add(describe(channel));
        }
        return answer;
    }

    @PostMapping(path = "/channels/{channel}/{action}", produces = "application/json")
    public ResponseEntity<?> control(@PathVariable("channel") String channel, @PathVariable("action") String action,
            Principal principal,
            HttpServletRequest request) throws Exception {
        if (!channelNames().contains(channel)) {
            return ApiError.of(404, "unknown_channel", "No channel called '" + channel + "' runs here. Channels: "
                    + channelNames() + ".");
        }
        if (!"suspend".equals(action) && !"resume".equals(action)) {
            return ApiError.of(404, "unknown_action", "Use /suspend or /resume.");
        }
        for (Route route : routesOf(channel)) {
            if ("suspend".equals(action)) {
                camel.getRouteController().suspendRoute(route.getRouteId());
            } else {
                camel.getRouteController().resumeRoute(route.getRouteId());
            }
        }
        audit.record("channel." + action + "ed", principal == null ? null : principal.getName(),
                request, Map.of("channel", channel));
        return ResponseEntity.ok(describe(channel));
    }

    @GetMapping(path = "/sessions", produces = "application/json")
    public Map<String, Object> sessions() {
        long count = 0;
        try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().match("caravan:session:*").count(1000)
                .build())) {
            while (keys.hasNext()) {
                keys.next();
                count++;
            }
        }
        return Map.of("sessions", count);
    }

    @GetMapping(path = "/dlq", produces = "application/json")
    public ResponseEntity<?> dlq(@RequestParam(name = "limit", defaultValue = "50") int limit) {
        if (limit < 1 || limit > 1000) {
            return ApiError.of(400, "invalid_limit", "limit must be between 1 and 1000");
        }
        List<DeadLetters.Entry> entries = deadLetters.newest(limit);
        return ResponseEntity.ok(Map.of("count", entries.size(), "entries", entries));
    }

    @PostMapping(path = "/dlq/redrive", consumes = "application/json", produces = "application/json")
    public ResponseEntity<?> redrive(@RequestBody JsonNode body, Principal principal, HttpServletRequest request)
            throws Exception {
        if (body == null || !body.path("partition").canConvertToInt() || !body.path("offset").canConvertToLong()
                || !body.path("partition").isIntegralNumber() || !body.path("offset").isIntegralNumber()) {
            return ApiError.of(400, "missing_position", "Give the record as {\"partition\":0,\"offset\":12}.");
        }
        try {
            return deadLetters.redrive(body.get("partition").asInt(), body.get("offset").asLong())
                    .<ResponseEntity<?>>map(entry -> {
                        audit.record("dlq.redriven", principal == null ? null : principal.getName(),
                                request,
                                Map.of("partition", entry.partition(), "offset", entry.offset(),
                                        "sourceTopic", entry.sourceTopic()));
                        return ResponseEntity.ok(Map.of("redriven", true, "entry", entry));
                    })
                    .orElseGet(() -> ApiError.of(404, "not_found", "The dead letter topic has no such record."));
        } catch (IllegalArgumentException e) {
            return ApiError.of(409, "not_redrivable", e.getMessage());
        }
    }

    private java.util.Set<String> channelNames() {
        java.util.Set<String> names = new TreeSet<>();
        registrations.forEach(r -> names.add(r.name()));
        names.add(WebChannels.WEBSOCKET);
        names.add(WebChannels.REST);
        names.add(WebChannels.OPENAI);
        return names;
    }

    private List<Route> routesOf(String channel) {
        return camel.getRoutes().stream().filter(r -> r.getRouteId().startsWith(channel + "-")).toList();
    }

    private Map<String, Object> describe(String channel) {
        List<Map<String, Object>> routes = new ArrayList<>();
        java.util.Set<String> states = new TreeSet<>();
        for (Route route : routesOf(channel)) {
            ServiceStatus status = camel.getRouteController().getRouteStatus(route.getRouteId());
            String state = status == null ? "Unknown" : status.name();
            states.add(state);
            routes.add(Map.of("id", route.getRouteId(), "state", state));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("channel", channel);
        answer.put("state", routes.isEmpty() ? "no-routes" : states.size() == 1 ? states.iterator().next()
                : "Mixed");
        answer.put("routes", routes);
        return answer;
    }
}
