package ai.cortensor.portal.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

class WebhookUrlsTest {
    @Test
    void a_public_https_url_is_accepted() {
        assertThat(WebhookUrls.parse(" https://hooks.example.com/cortensor?team=7 ", false))
                .isEqualTo(URI.create("https://hooks.example.com/cortensor?team=7"));
    }

    @Test
    void plain_http_is_accepted_only_to_this_machine_and_only_when_local_urls_are_allowed() {
        assertThatThrownBy(() -> WebhookUrls.parse("http://hooks.example.com/x", false))
                .hasMessageContaining("must start with https://");
        assertThatThrownBy(() -> WebhookUrls.parse("http://127.0.0.1:8089/hook", false))
                .hasMessageContaining("must start with https://");
        assertThatThrownBy(() -> WebhookUrls.parse("http://hooks.example.com/x", true)).as("not in clear text elsewhere")
                .hasMessageContaining("must start with https://");
        assertThat(WebhookUrls.parse("http://127.0.0.1:8089/hook", true).getPort()).isEqualTo(8089);
        assertThat(WebhookUrls.parse("http://localhost:8089/hook", true).getHost()).isEqualTo("localhost");
        assertThat(WebhookUrls.parse("https://10.1.2.3/hook", true).getHost()).as("a private network, in development")
                .isEqualTo("10.1.2.3");
    }

    @Test
    void this_machine_private_networks_and_cloud_metadata_are_refused_by_default() {
        for (String url : new String[] {"https://localhost/x", "https://127.0.0.1/x", "https://10.1.2.3/x",
                "https://192.168.0.10/x", "https://172.16.5.4/x", "https://169.254.169.254/latest/meta-data",
                "https://[::1]/x", "https://[fd00::1]/x", "https://100.64.0.1/x", "https://0.0.0.0/x",
                "https://app.internal/x"}) {
            assertThatThrownBy(() -> WebhookUrls.parse(url, false)).as(url).hasMessageContaining("public host");
        }
    }

    @Test
    void credentials_fragments_missing_hosts_and_junk_are_refused_with_what_to_change() {
        assertThatThrownBy(() -> WebhookUrls.parse("https://user:pw@hooks.example.com/x", false))
                .hasMessageContaining("user name and password");
        assertThatThrownBy(() -> WebhookUrls.parse("https://hooks.example.com/x#frag", false))
                .hasMessageContaining("#fragment");
        assertThatThrownBy(() -> WebhookUrls.parse("https:///x", false)).hasMessageContaining("host");
        assertThatThrownBy(() -> WebhookUrls.parse("ftp://hooks.example.com", false)).hasMessageContaining("https://");
        assertThatThrownBy(() -> WebhookUrls.parse("", false)).hasMessageContaining("Enter the URL");
        assertThatThrownBy(() -> WebhookUrls.parse("https://x.example.com/" + "a".repeat(2001), false))
                .hasMessageContaining("longer than");
    }

    @Test
    void a_host_name_that_resolves_inward_is_refused_before_an_attempt() throws Exception {
        assertThat(WebhookUrls.refusal(URI.create("https://localhost/x"), false)).contains("private or local");
        assertThat(WebhookUrls.refusal(URI.create("https://localhost/x"), true)).isNull();
        assertThat(WebhookUrls.isPublic(InetAddress.getByName("93.184.216.34"))).isTrue();
        assertThat(WebhookUrls.isPublic(InetAddress.getByName("2606:2800:220:1:248:1893:25c8:1946"))).isTrue();
    }
}
