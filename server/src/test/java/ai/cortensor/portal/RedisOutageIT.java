package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Redis, where limits are counted, goes down and comes back: {@code /health} and the metrics show it, and requests
 * are served or refused as {@code limits.redis-failure} says. A private {@code redis-server} on a free port is
 * killed mid-test (skipped with a message where there is no redis-server; under {@code CI=true} that fails).
 */
class RedisOutageIT {
    private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process startRedis(int port) throws Exception {
        Process p = new ProcessBuilder(REDIS_SERVER.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }

    private static void kill(Process redis) throws InterruptedException {
        redis.destroyForcibly(); // as a crash: no goodbye to its clients
        assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static JsonNode health(PortalHarness h) {
        try {
            return Json.MAPPER.readTree(h.get("/health", null).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assumeRedisServer() {
        if (!Files.isExecutable(REDIS_SERVER)) {
            String msg = "no " + REDIS_SERVER + " (apt-get install redis-server); Redis outage test skipped";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(msg + " — but CI=true requires it");
            }
            Assumptions.abort(msg);
        }
    }

    @Test
    void redis_going_down_degrades_health_and_limits_count_locally_until_it_is_back() throws Exception {
        assumeRedisServer();
        int port = freePort();
        Process redis = startRedis(port);
        try (PortalHarness h = new PortalHarness(Map.of("limits.redis-url", "redis://127.0.0.1:" + port,
                "limits.redis-failure", "local"))) {
            h.plan("capped", "{\"rpm\": 1000}");
            String key = h.newKey("redis-outage@example.com", "capped");
            assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
            JsonNode before = health(h);
            assertThat(before.get("status").asText()).isEqualTo("ok");
            assertThat(before.get("limits").toString()).isEqualTo("{\"store\":\"redis\",\"up\":true,\"policy\":\"local\"}");
            assertThat(h.metrics()).contains("portal_limits_redis_up 1.0");

            kill(redis);
            // no request needed: the limiter's own check notices within a second or two
            await().atMost(Duration.ofSeconds(5)).until(() -> !health(h).get("limits").get("up").asBoolean());
            JsonNode down = health(h);
            assertThat(down.get("status").asText()).as("served anyway: degraded, not unavailable").isEqualTo("degraded");
            assertThat(down.get("limits").get("policy").asText()).isEqualTo("local");
            assertThat(h.metrics()).contains("portal_limits_redis_up 0.0");
            assertThat(h.get("/ready", null).statusCode()).as("still ready: traffic keeps flowing").isEqualTo(200);

            HttpResponse<String> served = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
            assertThat(served.statusCode()).as("counted in this process meanwhile").isEqualTo(200);
            assertThat(h.metrics()).containsPattern("portal_limits_redis_fallback_decisions_total\\{policy=\"local\"} [1-9]");

            redis = startRedis(port);
            await().atMost(Duration.ofSeconds(10)).until(() -> health(h).get("limits").get("up").asBoolean());
            assertThat(health(h).get("status").asText()).isEqualTo("ok");
            assertThat(h.metrics()).contains("portal_limits_redis_up 1.0");
        } finally {
            redis.destroyForcibly();
        }
    }

    @Test
    void with_the_closed_policy_a_redis_unreachable_from_the_start_makes_health_unavailable_and_limited_requests_503()
            throws Exception {
        int nobody = freePort(); // nothing listens there
        try (PortalHarness h = new PortalHarness(Map.of("limits.redis-url", "redis://127.0.0.1:" + nobody,
                "limits.redis-failure", "closed"))) {
            h.plan("capped", "{\"rpm\": 1000}");
            String key = h.newKey("redis-closed@example.com", "capped");
            JsonNode health = health(h);
            assertThat(health.get("status").asText()).isEqualTo("unavailable");
            assertThat(health.get("limits").toString()).isEqualTo("{\"store\":\"redis\",\"up\":false,\"policy\":\"closed\"}");

            HttpResponse<String> refused = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(Json.MAPPER.readTree(refused.body()).get("error").get("code").asText()).isEqualTo("limits_unavailable");
            assertThat(h.metrics()).contains("portal_limits_redis_up 0.0")
                    .containsPattern("portal_limits_redis_fallback_decisions_total\\{policy=\"closed\"} [1-9]");
        }
    }
}
