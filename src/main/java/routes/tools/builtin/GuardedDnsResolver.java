package routes.tools.builtin;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The only resolver of {@code web-fetch}'s HTTP client: each connection's host is resolved once, through the
 * {@link AddressGuard}, and the client connects to the addresses the guard let through and to nothing else. TLS server
 * name, certificate check and Host header keep the URL's host name, since the client sets those from the URL, not
 * from the address.
 */
final class GuardedDnsResolver implements DnsResolver {

    /** The guard refused the host; the message is its reason. Unknown to the client, so it ends the request. */
    static final class Refused extends UnknownHostException {

        Refused(AddressGuard.Refused cause) {
            super(cause.getMessage());
        }
    }

    private final AddressGuard guard;

    GuardedDnsResolver(AddressGuard guard) {
        this.guard = guard;
    }

    /** What the client asks when it connects: the port decides whether an allowlist entry applies. */
    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        try {
            return guard.addresses(host, port).stream().map(address -> new InetSocketAddress(address, port)).toList();
        } catch (AddressGuard.Refused e) {
            throw new Refused(e);
        }
    }

    /** Without a port no allowlist entry can match, so only public addresses come back. */
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        try {
            return guard.addresses(host, -1).toArray(InetAddress[]::new);
        } catch (AddressGuard.Refused e) {
            throw new Refused(e);
        }
    }

    /** No reverse lookup: the name stays as the URL gave it. */
    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }
}
