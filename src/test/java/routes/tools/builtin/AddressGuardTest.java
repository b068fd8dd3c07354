package routes.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressGuardTest {

    /** Names the tests resolve without DNS; address literals resolve as the system resolver would (no lookup). */
    private static AddressGuard.Resolver names(Map<String, List<String>> table) {
        return host -> {
            List<String> addresses = table.get(host);
            if (addresses == null) {
                if (host.matches("[0-9.]+") || host.contains(":")) {
                    return InetAddress.getAllByName(host);
                }
                throw new UnknownHostException(host);
            }
            InetAddress[] resolved = new InetAddress[addresses.size()];
            for (int i = 0; i < resolved.length; i++) {
                resolved[i] = InetAddress.getByName(addresses.get(i));
            }
            return resolved;
        };
    }

    private final AddressGuard guard = new AddressGuard(names(Map.of(
            "localhost", List.of("127.0.0.1"),
            "intranet.example", List.of("10.0.0.1"),
            "mixed.example", List.of("93.184.215.14", "192.168.0.10"),
            "public.example", List.of("93.184.215.14"))), List.of());

    private String refusal(String url) {
        var thrown = org.junit.jupiter.api.Assertions.assertThrows(AddressGuard.Refused.class,
                () -> guard.check(URI.create(url)));
        return thrown.getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1/", "http://localhost:8080/admin", "http://[::1]/", "http://127.10.0.2/",
            "https://LOCALHOST/"})
    void loopbackIsRefused(String url) {
        assertThat(refusal(url)).isEqualTo("loopback address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
            "http://[fd00::1]/", "http://[fc12:3456::1]/"})
    void privateAddressesAreRefused(String url) {
        assertThat(refusal(url)).isEqualTo("private address");
    }

    @Test
    void cloudMetadataAddressIsRefused() {
        assertThat(refusal("http://169.254.169.254/latest/meta-data/")).isEqualTo("link-local address");
        assertThat(refusal("http://[fe80::1]/")).isEqualTo("link-local address");
    }

    @Test
    void unspecifiedMulticastSharedAndReservedAddressesAreRefused() {
        assertThat(refusal("http://0.0.0.0/")).isEqualTo("unspecified address");
        assertThat(refusal("http://[::]/")).isEqualTo("unspecified address");
        assertThat(refusal("http://100.64.0.1/")).isEqualTo("shared (carrier-grade NAT) address");
        assertThat(refusal("http://100.127.255.254/")).isEqualTo("shared (carrier-grade NAT) address");
        assertThat(refusal("http://224.0.0.1/")).isEqualTo("multicast address");
        assertThat(refusal("http://[ff02::1]/")).isEqualTo("multicast address");
        assertThat(refusal("http://255.255.255.255/")).isEqualTo("reserved address");
    }

    @Test
    void ipv4MappedIpv6OfABlockedAddressIsRefused() {
        assertThat(refusal("http://[::ffff:127.0.0.1]/")).isEqualTo("loopback address");
        assertThat(refusal("http://[::ffff:a9fe:a9fe]/")).isEqualTo("link-local address");
        assertThat(refusal("http://[::ffff:10.0.0.1]/")).isEqualTo("private address");
    }

    @Test
    void embeddedIpv4InIpv6AddressesIsChecked() throws Exception {
        // the JDK turns ::ffff:a.b.c.d into an IPv4 address; a resolver may still hand out the IPv6 form
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        assertThat(AddressGuard.blockedReason(Inet6Address.getByAddress(null, mapped, null)))
                .isEqualTo("loopback address");
        assertThat(AddressGuard.blockedReason(InetAddress.getByName("64:ff9b::a9fe:a9fe")))
                .isEqualTo("link-local address");
        assertThat(AddressGuard.blockedReason(InetAddress.getByName("2002:c0a8:0101::1")))
                .isEqualTo("private address");
        assertThat(AddressGuard.blockedReason(InetAddress.getByName("::7f00:1"))).isEqualTo("loopback address");
    }

    @Test
    void aNameResolvingToAPrivateAddressIsRefused() {
        assertThat(refusal("https://intranet.example/wiki")).isEqualTo("private address");
    }

    @Test
    void aNameWithAnyPrivateAddressIsRefusedWhole() {
        assertThat(refusal("https://mixed.example/")).isEqualTo("private address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "ftp://public.example/", "gopher://public.example/",
            "jar:http://public.example/a.jar!/x", "mailto:someone@public.example", "/relative/path"})
    void onlyHttpAndHttpsAreFetched(String url) {
        assertThat(refusal(url)).isEqualTo("only http and https URLs can be fetched");
    }

    @Test
    void oddHostsAreRefused() {
        assertThat(refusal("http://user:secret@public.example/")).contains("user name or password");
        assertThat(refusal("http://nowhere.example/")).isEqualTo("unknown host nowhere.example");
        // numeric host spellings either fail to parse or resolve to the loopback address: refused both ways
        assertThatThrownBy(() -> guard.check(URI.create("http://2130706433/")))
                .isInstanceOf(AddressGuard.Refused.class);
        assertThatThrownBy(() -> guard.check(URI.create("http://0x7f.1/"))).isInstanceOf(AddressGuard.Refused.class);
        assertThatThrownBy(() -> guard.check(URI.create("http://127.1/"))).isInstanceOf(AddressGuard.Refused.class);
    }

    @Test
    void aPublicAddressIsCheckedOnceAndReturnedForTheConnection() throws Exception {
        var lookups = new AtomicInteger();
        var counting = new AddressGuard(host -> {
            lookups.incrementAndGet();
            return new InetAddress[] {InetAddress.getByName("93.184.215.14")};
        }, List.of());

        var target = counting.check(URI.create("https://Public.Example/page?q=1"));

        assertThat(lookups).hasValue(1);
        assertThat(target.address().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(target.host()).isEqualTo("public.example");
        assertThat(target.port()).isEqualTo(443);
        assertThat(target.https()).isTrue();
    }

    @Test
    void onlyTheExactListedHostAndPortPassesTheAllowlist() throws Exception {
        var listed = new AddressGuard(names(Map.of("localhost", List.of("127.0.0.1"),
                "wiki.corp", List.of("10.0.0.5"))), List.of("127.0.0.1:8123", "WIKI.corp:443"));

        assertThat(listed.check(URI.create("http://127.0.0.1:8123/")).address().getHostAddress())
                .isEqualTo("127.0.0.1");
        assertThat(listed.check(URI.create("https://wiki.corp/page")).address().getHostAddress())
                .isEqualTo("10.0.0.5");
        assertThatThrownBy(() -> listed.check(URI.create("http://127.0.0.1:8124/")))
                .hasMessage("loopback address");
        assertThatThrownBy(() -> listed.check(URI.create("http://localhost:8123/")))
                .hasMessage("loopback address");
        assertThatThrownBy(() -> listed.check(URI.create("http://wiki.corp/page")))
                .hasMessage("private address");
    }

    @Test
    void allowlistEntriesNeedAPort() {
        assertThatThrownBy(() -> new AddressGuard(names(Map.of()), List.of("wiki.corp")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> new AddressGuard(names(Map.of()), List.of("::1:80")))
                .isInstanceOf(IllegalArgumentException.class);
        new AddressGuard(names(Map.of()), List.of("[::1]:80", "wiki.corp:8443"));
    }
}
