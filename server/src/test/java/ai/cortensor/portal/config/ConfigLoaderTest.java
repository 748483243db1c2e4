package ai.cortensor.portal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void defaults_run_embedded_on_8080() {
        PortalConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.database().embedded()).isTrue();
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.http().maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(c.router().readTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void the_management_listener_defaults_to_loopback_9090_and_must_not_share_the_customers_port() {
        PortalConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.management().host()).isEqualTo("127.0.0.1");
        assertThat(c.management().port()).isEqualTo(9090);
        assertThat(ConfigLoader.load(null, Map.of("PORTAL_MANAGEMENT_PORT", "0")).management().port()).isZero();
        assertThat(c.describe()).contains("management.host=127.0.0.1").contains("management.port=9090");
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("http.port", "9000", "management.port", "9000")))
                .hasMessageContaining("management.port must differ from http.port");
        assertThat(ConfigLoader.fromMap(Map.of("http.port", "0", "management.port", "0")).management().port())
                .as("both ephemeral is fine").isZero();
    }

    @Test
    void slow_client_bounds_have_defaults_and_are_read_as_durations() {
        PortalConfig.Http d = ConfigLoader.load(null, Map.of()).http();
        assertThat(d.maxConnections()).isEqualTo(10_000);
        assertThat(d.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofSeconds(75));
        PortalConfig.Http h = ConfigLoader.load(null, Map.of("PORTAL_HTTP_HEADER_TIMEOUT", "2s",
                "PORTAL_HTTP_BODY_TIMEOUT", "PT0.5S", "PORTAL_HTTP_IDLE_TIMEOUT", "PT5M",
                "PORTAL_HTTP_MAX_CONNECTIONS", "300")).http();
        assertThat(h.headerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.bodyTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(h.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(h.maxConnections()).isEqualTo(300);
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("http.max-connections", "0")))
                .hasMessageContaining("http.max-connections");
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("http.header-timeout", "0s")))
                .hasMessageContaining("http.header-timeout");
    }

    @Test
    void environment_overrides_the_file(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("portal.properties");
        Files.writeString(file, "http.port=9000\ndatabase.pool-size=4\n");
        PortalConfig c = ConfigLoader.load(file, Map.of(
                "PORTAL_HTTP_PORT", "9100",
                "PORTAL_DATABASE_URL", "jdbc:postgresql://db:5432/portal?user=portal&password=s3cret",
                "PORTAL_CONFIG", "ignored: launcher variable",
                "HOME", "/root"));
        assertThat(c.http().port()).isEqualTo(9100);
        assertThat(c.database().poolSize()).isEqualTo(4);
        assertThat(c.database().url()).startsWith("jdbc:postgresql://db:5432/portal");
    }

    @Test
    void pools_and_router_secrets_come_from_environment() {
        PortalConfig c = ConfigLoader.load(null, Map.of(
                "PORTAL_POOL_DEFAULT_TARGETS", "cortensor-v3 http://r1:5010/ session=12 key=main, cortensor-v1 http://r2:5010 session=7 key=main name=r2",
                "PORTAL_ROUTER_SECRET_MAIN", "router-key-123"));
        var pool = c.pools().get("default");
        assertThat(pool.targets()).extracting(PortalConfig.TargetSpec::name).containsExactly("default-1", "r2");
        assertThat(pool.targets().get(0).baseUrl()).isEqualTo("http://r1:5010");
        assertThat(pool.targets().get(1).sessionId()).isEqualTo(7L);
        assertThat(c.routerSecrets()).containsEntry("main", "router-key-123");
    }

    @Test
    void pool_weights_caps_model_mappings_and_health_settings_are_read_and_bad_values_name_the_key() {
        PortalConfig c = ConfigLoader.load(null, Map.of(
                "PORTAL_POOL_MAIN_TARGETS", "openai http://vllm:8000 name=v weight=3 max=16",
                "PORTAL_POOL_MAIN_MODELS", "qwen, gemma-4",
                "PORTAL_POOL_SPARE_TARGETS", "openai http://spare:8000",
                "PORTAL_POOL_SPARE_FALLBACK_FOR", "qwen",
                "PORTAL_HEALTH_EJECT_AFTER_FAILURES", "7",
                "PORTAL_ROUTER_MAX_ATTEMPTS", "2"));
        var main = c.pools().get("main");
        assertThat(main.targets().get(0).weight()).isEqualTo(3);
        assertThat(main.targets().get(0).maxConcurrency()).isEqualTo(16);
        assertThat(main.models()).containsExactly("qwen", "gemma-4");
        assertThat(c.pools().get("spare").fallbackFor()).containsExactly("qwen");
        assertThat(c.health().ejectAfterFailures()).isEqualTo(7);
        assertThat(c.router().maxAttempts()).isEqualTo(2);
        assertThat(c.describe()).contains("weight=3 max=16").contains("pool.main.models=qwen, gemma-4")
                .contains("health.eject-after-failures=7");

        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("pool.p.targets", "openai http://x:1 weight=0")))
                .hasMessageContaining("weight must be 1..10000");
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("health.degraded-below", "1.5")))
                .hasMessageContaining("health.degraded-below");
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("pool.ghost.models", "qwen")))
                .hasMessageContaining("pool.ghost.targets");
    }

    @Test
    void description_masks_every_secret() {
        PortalConfig c = ConfigLoader.fromMap(Map.of(
                "database.url", "jdbc:postgresql://db/portal?user=portal&password=hunter2",
                "database.password", "pw-xyz",
                "pool.default.targets", "cortensor-v3 http://r1:5010 session=1 key=main",
                "router.secret.main", "router-key-123"));
        assertThat(c.describe()).doesNotContain("hunter2").doesNotContain("pw-xyz").doesNotContain("router-key-123")
                .contains("password=****").contains("router.secret.main=****");
    }

    @Test
    void unknown_key_is_named_in_the_error() {
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("http.prot", "1")))
                .hasMessageContaining("unknown configuration key 'http.prot'");
    }

    @Test
    void trusted_proxies_are_addresses_or_cidr_ranges_and_a_name_is_refused() {
        assertThat(ConfigLoader.fromMap(Map.of()).http().trustedProxies()).isEmpty();
        assertThat(ConfigLoader.fromMap(Map.of("http.trusted-proxies", "10.0.0.0/8, 192.0.2.7,fd00::/8")).http()
                .trustedProxies()).containsExactly("10.0.0.0/8", "192.0.2.7", "fd00::/8");
        for (String bad : new String[] {"lb.internal", "10.0.0.0/33", "300.1.1.1", "10.0.0.0/"}) {
            assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("http.trusted-proxies", bad)))
                    .as(bad).hasMessageContaining("http.trusted-proxies").hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void out_of_range_value_is_rejected_not_clamped() {
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("http.port", "70000")))
                .hasMessageContaining("http.port must be between 0 and 65535, got 70000");
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("router.read-timeout", "soon")))
                .hasMessageContaining("router.read-timeout");
    }

    @Test
    void target_without_session_or_with_unknown_secret_is_rejected() {
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("pool.p.targets", "cortensor-v3 http://r:1")))
                .hasMessageContaining("needs session=<id>");
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("pool.p.targets", "cortensor-v3 http://r:1 session=1 key=nokey")))
                .hasMessageContaining("has no router.secret.nokey");
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("pool.p.targets", "grpc http://r:1")))
                .hasMessageContaining("unknown protocol 'grpc'");
    }
}
