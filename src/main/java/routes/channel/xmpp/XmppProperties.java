package routes.channel.xmpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import routes.channel.GroupPolicy;

/**
 * The XMPP channel ({@code caravan.channels.xmpp.*}): one account on an XMPP server, answering direct chats and
 * the group chats (XEP-0045 rooms) it joins. The channel is on when {@code host} and {@code user} are set.
 *
 * <p>{@link #toString()} never prints the password or the trust store password.
 */
@ConfigurationProperties("caravan.channels.xmpp")
public class XmppProperties {

    /** How the connection is secured. */
    public enum Tls {
        /** STARTTLS is required; a server without it is refused. */
        REQUIRED,
        /** STARTTLS when the server offers it. */
        IF_POSSIBLE,
        /** Plain text: only for a server on the same host. */
        DISABLED
    }

    /** Host name or address of the XMPP server (CARAVAN_CHANNELS_XMPP_HOST). */
    private String host = "";

    /** Client port of the server. */
    private int port = 5222;

    /** The XMPP domain (service name) of the account, e.g. example.org; empty = the domain of user, else host. */
    private String domain = "";

    /** The account: a local part (caravan) or a bare JID (caravan@example.org) (CARAVAN_CHANNELS_XMPP_USER). */
    private String user = "";

    /** The account's password (CARAVAN_CHANNELS_XMPP_PASSWORD). Secret, never logged. */
    private String password = "";

    /** The resource of Caravan's session. */
    private String resource = "caravan";

    /** Room JIDs (room@conference.example.org) to join and answer in; empty = direct chats only. */
    private List<String> rooms = new ArrayList<>();

    /** Nickname in the rooms, also what counts as a mention; empty = the account's local part. */
    private String nickname = "";

    /** When the bot answers in rooms: mention (its nickname is in the message), always, never. */
    private GroupPolicy groupPolicy = GroupPolicy.MENTION;

    /** STARTTLS: required, if-possible or disabled. */
    private Tls tls = Tls.REQUIRED;

    /** Trust store (file path) with the certificate authority of the server; empty = the JVM's default trust. */
    private String trustStore = "";

    /** Password of the trust store. Secret, never logged. */
    private String trustStorePassword = "";

    /** Longest wait for the server to answer a request (connect, TLS, login, joining a room). */
    private Duration replyTimeout = Duration.ofSeconds(10);

    /** Longest piece of a reply; a longer reply goes as several messages. */
    private int maxText = 3000;

    /** Cluster-wide send limits, so the server's rate limits (shapers) are never hit. */
    private final RateLimit rateLimit = new RateLimit();

    /** Cluster-wide limits of sent messages, shared by every instance through Redis. */
    public static class RateLimit {

        /** Messages per second into one chat or room. */
        private int chatPerSecond = 1;

        /** Messages per second of the whole account. */
        private int accountPerSecond = 5;

        public int getChatPerSecond() { return chatPerSecond; }
        public void setChatPerSecond(int v) { chatPerSecond = v; }
        public int getAccountPerSecond() { return accountPerSecond; }
        public void setAccountPerSecond(int v) { accountPerSecond = v; }

        @Override
        public String toString() {
            return "RateLimit[chatPerSecond=" + chatPerSecond + ", accountPerSecond=" + accountPerSecond + "]";
        }
    }

    public String getHost() { return host; }
    public void setHost(String v) { host = v == null ? "" : v.trim(); }
    public int getPort() { return port; }
    public void setPort(int v) { port = v; }
    public String getDomain() { return domain; }
    public void setDomain(String v) { domain = v == null ? "" : v.trim(); }
    public String getUser() { return user; }
    public void setUser(String v) { user = v == null ? "" : v.trim(); }
    public String getPassword() { return password; }
    public void setPassword(String v) { password = v == null ? "" : v; }
    public String getResource() { return resource; }
    public void setResource(String v) { resource = v == null || v.isBlank() ? "caravan" : v.trim(); }
    public List<String> getRooms() { return rooms; }
    public void setRooms(List<String> v) {
        rooms = v == null ? new ArrayList<>() : new ArrayList<>(v.stream().map(String::trim)
                .filter(r -> !r.isEmpty()).map(r -> r.toLowerCase(Locale.ROOT)).distinct().toList());
    }
    public String getNickname() { return nickname; }
    public void setNickname(String v) { nickname = v == null ? "" : v.trim(); }
    public GroupPolicy getGroupPolicy() { return groupPolicy; }
    public void setGroupPolicy(GroupPolicy v) { groupPolicy = v; }
    public Tls getTls() { return tls; }
    public void setTls(Tls v) { tls = v; }
    public String getTrustStore() { return trustStore; }
    public void setTrustStore(String v) { trustStore = v == null ? "" : v.trim(); }
    public String getTrustStorePassword() { return trustStorePassword; }
    public void setTrustStorePassword(String v) { trustStorePassword = v == null ? "" : v; }
    public Duration getReplyTimeout() { return replyTimeout; }
    public void setReplyTimeout(Duration v) { replyTimeout = v; }
    public int getMaxText() { return maxText; }
    public void setMaxText(int v) { maxText = v; }
    public RateLimit getRateLimit() { return rateLimit; }

    /** The local part of the account. */
    public String localpart() {
        int at = user.indexOf('@');
        return at < 0 ? user : user.substring(0, at);
    }

    /** The XMPP domain: {@code domain}, else the domain of {@code user}, else {@code host}. */
    public String xmppDomain() {
        if (!domain.isEmpty()) {
            return domain;
        }
        int at = user.indexOf('@');
        return at < 0 ? host : user.substring(at + 1);
    }

    /** The account's bare JID. */
    public String accountJid() {
        return (localpart() + "@" + xmppDomain()).toLowerCase(Locale.ROOT);
    }

    /** The nickname in rooms. */
    public String effectiveNickname() {
        return nickname.isEmpty() ? localpart() : nickname;
    }

    @Override
    public String toString() {
        return "XmppProperties[host=" + host + ", port=" + port + ", domain=" + domain + ", user=" + user
                + ", password=" + mask(password) + ", resource=" + resource + ", rooms=" + rooms + ", nickname="
                + nickname + ", groupPolicy=" + groupPolicy + ", tls=" + tls + ", trustStore=" + trustStore
                + ", trustStorePassword=" + mask(trustStorePassword) + ", replyTimeout=" + replyTimeout
                + ", maxText=" + maxText + ", rateLimit=" + rateLimit + "]";
    }

    private static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "(none)" : "******";
    }
}
