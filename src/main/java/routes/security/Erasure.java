package routes.security;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.channel.web.MessageStatusStore;
import routes.channel.web.WebSocketMailbox;
import routes.model.ProfileOverrides;
import routes.model.ResponseCache;
import routes.model.UsageStore;
import routes.ops.AuditLog;
import routes.pipeline.Guards;
import routes.pipeline.SessionStore;
import routes.schedule.Reminders;
import routes.tools.PendingConfirmations;

/**
 * Erases what Caravan keeps in Redis about one sender of one channel: the conversations the sender wrote in (their
 * histories, response-cache entries, stored replies and kept WebSocket replies, profile switches, pending tool
 * confirmations, rate counts), the sender's reminders, usage counters and pending pairing request. Every erasure is
 * audited ({@code data.erased} through {@link AuditLog}: user id {@code channel:senderId}, the actor and the counts
 * in its payload), and {@link #erase} returns only once that event is on the audit topic.
 *
 * <p>A conversation is erased whole: in a group, that is everyone's history of it. An approval to talk (pairing) is
 * access control rather than conversation data and stays; an admin revokes it at {@code /admin/pairing}.
 */
@Component
public class Erasure {

    private static final Logger LOG = LoggerFactory.getLogger(Erasure.class);

    /** What one erasure removed. */
    public record Result(long conversations, long histories, long cacheEntries, long storedReplies,
            long keptReplies, long profiles, long confirmations, long reminders, long usageDays,
            long pairingRequests) {

        /** The counts by name, as the admin API and the audit event show them. */
        public Map<String, Long> counts() {
            Map<String, Long> counts = new LinkedHashMap<>();
            counts.put("conversations", conversations);
            counts.put("histories", histories);
            counts.put("cacheEntries", cacheEntries);
            counts.put("storedReplies", storedReplies);
            counts.put("keptReplies", keptReplies);
            counts.put("profiles", profiles);
            counts.put("confirmations", confirmations);
            counts.put("reminders", reminders);
            counts.put("usageDays", usageDays);
            counts.put("pairingRequests", pairingRequests);
            return counts;
        }
    }

    private final SessionStore sessions;
    private final ResponseCache cache;
    private final MessageStatusStore statuses;
    private final WebSocketMailbox mailbox;
    private final ProfileOverrides overrides;
    private final PendingConfirmations pending;
    private final Reminders reminders;
    private final UsageStore usage;
    private final Guards guards;
    private final Pairings pairings;
    private final AuditLog audit;

    public Erasure(SessionStore sessions, ResponseCache cache, MessageStatusStore statuses, WebSocketMailbox mailbox,
            ProfileOverrides overrides, PendingConfirmations pending, Reminders reminders, UsageStore usage,
            Guards guards, Pairings pairings, AuditLog audit) {
        this.sessions = sessions;
        this.cache = cache;
        this.statuses = statuses;
        this.mailbox = mailbox;
        this.overrides = overrides;
        this.pending = pending;
        this.reminders = reminders;
        this.usage = usage;
        this.guards = guards;
        this.pairings = pairings;
        this.audit = audit;
    }

    /**
     * Erases everything about {@code senderId} of {@code channel} and audits it.
     *
     * @param actor     who asked (the sender himself, or an operator), for the audit event
     * @param alsoChats chats to erase besides those the sender is listed in (e.g. the one {@code /forget} came from)
     * @throws AuditLog.NotWrittenException when the data was erased but the audit event could not be written
     */
    public Result erase(String channel, String senderId, String actor, Collection<String> alsoChats) {
        Set<String> chats = new LinkedHashSet<>(sessions.chatsOf(channel, senderId));
        chats.addAll(alsoChats);
        long histories = 0;
        long cacheEntries = 0;
        long storedReplies = 0;
        long keptReplies = 0;
        long profiles = 0;
        long confirmations = 0;
        for (String chat : chats) {
            histories += sessions.clear(channel, chat) ? 1 : 0;
            cacheEntries += cache.forget(channel, chat);
            storedReplies += statuses.forget(channel, chat);
            keptReplies += mailbox.forget(channel, chat);
            profiles += overrides.forgetChat(channel, chat) ? 1 : 0;
            confirmations += pending.forget(channel, chat) ? 1 : 0;
        }
        long reminderCount = reminders.forget(r -> channel.equals(r.channel()) && senderId.equals(Guards.user(r)));
        long usageDays = usage.forget(channel, senderId);
        long pairingRequests = pairings.forgetRequest(channel, senderId) ? 1 : 0;
        guards.forget(channel, senderId, chats);
        sessions.forgetChatsOf(channel, senderId);
        Result result = new Result(chats.size(), histories, cacheEntries, storedReplies, keptReplies, profiles,
                confirmations, reminderCount, usageDays, pairingRequests);
        audit(channel + ":" + senderId, actor, result);
        LOG.info("erased the data of a {} sender on request of {}: {}", channel,
                actor.equals(channel + ":" + senderId) ? "the sender" : actor, result.counts());
        return result;
    }

    /** Waits until the event is on the audit topic: an erasure must not go unrecorded. */
    private void audit(String userId, String actor, Result result) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("actor", actor);
        payload.putAll(result.counts());
        audit.writeAndWait(AuditLog.Event.of("data.erased", userId, null, null, payload));
    }
}
