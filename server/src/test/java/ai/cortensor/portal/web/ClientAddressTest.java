package ai.cortensor.portal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    final ClientAddress behindProxies = ClientAddress.trusting(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));

    @Test
    void without_trusted_proxies_the_header_is_ignored() {
        assertThat(ClientAddress.trusting(List.of()).resolve("10.1.1.1", List.of("203.0.113.9"))).isEqualTo("10.1.1.1");
    }

    @Test
    void a_request_from_an_untrusted_peer_is_that_peer_whatever_it_claims() {
        assertThat(behindProxies.resolve("198.51.100.3", List.of("203.0.113.9"))).isEqualTo("198.51.100.3");
    }

    @Test
    void behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        assertThat(behindProxies.resolve("10.0.0.2", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
        assertThat(behindProxies.resolve("10.0.0.2", List.of("6.6.6.6, 203.0.113.9", "192.0.2.7")))
                .as("a client-written entry left of the real one is not believed").isEqualTo("203.0.113.9");
        assertThat(behindProxies.resolve("fd00::1", List.of("2001:db8::5"))).isEqualTo("2001:db8:0:0:0:0:0:5");
        assertThat(behindProxies.resolve("10.0.0.2", List.of())).as("no header").isEqualTo("10.0.0.2");
        assertThat(behindProxies.resolve("10.0.0.2", List.of("10.9.9.9"))).as("only proxies").isEqualTo("10.9.9.9");
        assertThat(behindProxies.resolve("10.0.0.2", List.of("evil.example.com, 203.0.113.9")))
                .isEqualTo("203.0.113.9");
        assertThat(behindProxies.resolve("10.0.0.2", List.of("203.0.113.9, not-an-address")))
                .as("an unreadable hop stops the walk").isEqualTo("10.0.0.2");
    }

    @Test
    void a_trusted_proxy_entry_is_an_address_or_a_cidr_range_never_a_name() {
        assertThatThrownBy(() -> ClientAddress.trusting(List.of("proxy.internal"))).hasMessageContaining("'proxy.internal'");
        assertThatThrownBy(() -> ClientAddress.trusting(List.of("10.0.0.0/33"))).hasMessageContaining("prefix length");
    }
}
