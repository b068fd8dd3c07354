package routes.security;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Pairing codes and approved senders, in Redis so every instance sees them. A sender asking for the first time gets
 * a code (the same one until it expires); an admin approving the code lets the sender in for good, until revoked.
 */
@Component
public class Pairings {

    private static final String PENDING = "caravan:pairing:pending:";
    private static final String BY_SENDER = "caravan:pairing:sender:";
    private static final String APPROVED = "caravan:pairing:approved:";
    /** No 0/O, 1/I/L: a code read aloud or typed from a phone stays unambiguous. */
    private static final char[] ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789".toCharArray();

    private final StringRedisTemplate redis;
    private final AccessProperties properties;
    private final SecureRandom random = new SecureRandom();

    public Pairings(StringRedisTemplate redis, AccessProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    /** A pending request. */
    public record Request(String code, String channel, String senderId, String name, Instant requestedAt,
            Instant expiresAt) {
    }

    /** Whether an admin approved {@code senderId} on {@code channel}. */
    public boolean approved(String channel, String senderId) {
        return Boolean.TRUE.equals(redis.opsForSet().isMember(APPROVED + channel, senderId));
    }

    /** The sender's pending code, created when it has none; second value: whether it was created now. */
    public Map.Entry<String, Boolean> codeFor(String channel, String senderId, String name) {
        String existing = redis.opsForValue().get(BY_SENDER + channel + ":" + senderId);
        if (existing != null && Boolean.TRUE.equals(redis.hasKey(PENDING + existing))) {
            return Map.entry(existing, false);
        }
        String code = newCode();
        Instant now = Instant.now();
        redis.opsForHash().putAll(PENDING + code, Map.of("channel", channel, "senderId", senderId,
                "name", name == null ? "" : name, "requestedAt", now.toString(),
                "expiresAt", now.plus(properties.getCodeTtl()).toString()));
        redis.expire(PENDING + code, properties.getCodeTtl());
        redis.opsForValue().set(BY_SENDER + channel + ":" + senderId, code, properties.getCodeTtl());
        return Map.entry(code, true);
    }

    /** Approves the request of {@code code}; empty when no such request is pending. */
    public Optional<Request> approve(String code) {
        String normalized = normalize(code);
        Optional<Request> request = find(normalized);
        request.ifPresent(r -> {
            redis.opsForSet().add(APPROVED + r.channel(), r.senderId());
            redis.delete(List.of(PENDING + normalized, BY_SENDER + r.channel() + ":" + r.senderId()));
        });
        return request;
    }

    /** Takes back an approval; whether there was one. */
    public boolean revoke(String channel, String senderId) {
        Long removed = redis.opsForSet().remove(APPROVED + channel, senderId);
        return removed != null && removed > 0;
    }

    /** Drops the sender's pending request (it holds the sender's name); whether there was one. */
    public boolean forgetRequest(String channel, String senderId) {
        String code = redis.opsForValue().getAndDelete(BY_SENDER + channel + ":" + senderId);
        return code != null && Boolean.TRUE.equals(redis.delete(PENDING + code));
    }

    /** Pending requests, oldest first. */
    public List<Request> pending() {
        List<Request> found = new ArrayList<>();
        try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().match(PENDING + "*").count(500).build())) {
            keys.forEachRemaining(key -> find(key.substring(PENDING.length())).ifPresent(found::add));
        }
        found.sort(Comparator.comparing(Request::requestedAt));
        return found;
    }

    /** Approved senders per channel. */
    public Map<String, List<String>> approvedSenders() {
        Map<String, List<String>> all = new java.util.TreeMap<>();
        try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().match(APPROVED + "*").count(500).build())) {
            keys.forEachRemaining(key -> {
                var members = redis.opsForSet().members(key);
                all.put(key.substring(APPROVED.length()), members == null ? List.of()
                        : members.stream().sorted().toList());
            });
        }
        return all;
    }

    private Optional<Request> find(String code) {
        Map<Object, Object> fields = redis.opsForHash().entries(PENDING + code);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Request(code, (String) fields.get("channel"), (String) fields.get("senderId"),
                (String) fields.get("name"), Instant.parse((String) fields.get("requestedAt")),
                Instant.parse((String) fields.get("expiresAt"))));
    }

    private String newCode() {
        char[] code = new char[8];
        for (int i = 0; i < code.length; i++) {
            code[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(code);
    }

    /** {@code abcd-efgh}, {@code ABCD EFGH} and {@code ABCDEFGH} are the same code. */
    static String normalize(String code) {
        return code == null ? "" : code.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
    }

    /** How a code is shown to people: {@code ABCD-EFGH}. */
    public static String display(String code) {
        return code.length() == 8 ? code.substring(0, 4) + "-" + code.substring(4) : code;
    }
}
