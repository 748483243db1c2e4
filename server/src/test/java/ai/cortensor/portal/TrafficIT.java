package ai.cortensor.portal;

import static ai.cortensor.portal.OperatorApiIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 7, {@code GET /admin/api/traffic}: requests, outcomes, error rate, latency p50/p99 and tokens over the
 * last hour and day, overall, per model and per pool, in time buckets — checked to the number against request-log
 * rows written for the test (no other traffic reaches this server).
 */
class TrafficIT {
    static PortalHarness h;
    static String support;
    static final Instant NOW = Instant.now();

    @BeforeAll
    static void start() {
        h = new PortalHarness();
        support = new OperatorStore(h.jdbi(), new SecureRandom())
                .issue("graphs@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
        for (int i = 1; i <= 10; i++) {
            log("qwen", "default", "completed", i * 100, 50, NOW.minus(Duration.ofMinutes(i * 4)));
        }
        log("qwen", "default", "failed", 30, null, NOW.minus(Duration.ofMinutes(2)));
        log("qwen", "default", "failed", 30, null, NOW.minus(Duration.ofMinutes(3)));
        log("qwen", null, "blocked", 5, null, NOW.minus(Duration.ofMinutes(1)));
        for (int latency : new int[] {2000, 2000, 2000, 8000}) {
            log("gemma-4", "gpu-pool", "completed", latency, 500, NOW.minus(Duration.ofMinutes(20)));
        }
        log(null, null, "blocked", 1, null, NOW.minus(Duration.ofMinutes(30)));
        for (int i = 0; i < 5; i++) {
            log("qwen", "default", "completed", 300, 10, NOW.minus(Duration.ofHours(3)));
        }
        for (int i = 0; i < 7; i++) {
            log("qwen", "default", "completed", 300, 10, NOW.minus(Duration.ofDays(2)));
        }
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    /** One finished request as the usage ledger writes it (served ones with their tokens metered). */
    static void log(String model, String pool, String status, int latencyMs, Integer tokens, Instant at) {
        boolean served = tokens != null;
        h.jdbi().useHandle(x -> x.createUpdate("""
                INSERT INTO request_logs (request_id, accepted_at, route, model_alias, user_id, status, http_status,
                    pool, target, latency_ms, prompt_tokens, completion_tokens, usage_recorded)
                VALUES (:id, :at, '/v1/chat/completions', :model, 1, :status, :http, :pool, :target, :latency,
                    :pt, :ct, :served)""")
                .bind("id", "req_" + UUID.randomUUID()).bind("at", at).bind("model", model).bind("status", status)
                .bind("http", switch (status) {
                    case "completed" -> 200;
                    case "failed" -> 502;
                    default -> 429;
                })
                .bind("pool", pool).bind("target", pool == null ? null : "a").bind("latency", latencyMs)
                .bind("pt", served ? tokens / 5 : null).bind("ct", served ? tokens - tokens / 5 : null)
                .bind("served", served).execute());
    }

    static JsonNode traffic(String window) {
        HttpResponse<String> r = get("/admin/api/traffic" + (window == null ? "" : "?window=" + window));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(r.body(), e);
        }
    }

    static HttpResponse<String> get(String path) {
        return h.send(HttpRequest.newBuilder(URI.create(h.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + support).GET().build());
    }

    static JsonNode series(JsonNode list, String name) {
        for (JsonNode s : list) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no " + name + " in " + list);
    }

    @Test
    void the_last_hour_counts_requests_errors_latency_percentiles_and_tokens_overall_per_model_and_per_pool() {
        JsonNode t = traffic(null);
        assertThat(t.path("window").asText()).isEqualTo("1h");
        assertThat(t.path("bucket_seconds").asLong()).isEqualTo(60);
        assertThat(t.path("buckets")).hasSize(60);
        assertThat(Duration.between(Instant.parse(t.path("from").asText()), Instant.parse(t.path("to").asText())))
                .isEqualTo(Duration.ofHours(1));
        assertThat(Instant.parse(t.path("to").asText())).isAfter(NOW);

        JsonNode all = t.path("totals");
        assertThat(all.path("requests").asLong()).isEqualTo(18);
        assertThat(all.path("completed").asLong()).isEqualTo(14);
        assertThat(all.path("failed").asLong()).isEqualTo(2);
        assertThat(all.path("blocked").asLong()).isEqualTo(2);
        assertThat(all.path("error_rate").asDouble()).as("failed among the 16 not blocked").isEqualTo(0.125);
        assertThat(all.path("p50_ms").asInt()).as("the 7th of 14 completed latencies").isEqualTo(700);
        assertThat(all.path("p99_ms").asInt()).isEqualTo(8000);
        assertThat(all.path("tokens").asLong()).isEqualTo(10 * 50 + 4 * 500);

        JsonNode models = t.path("models");
        assertThat(models.findValuesAsText("name")).as("busiest first").containsExactly("qwen", "gemma-4", "(none)");
        JsonNode qwen = series(models, "qwen").path("totals");
        assertThat(qwen.path("requests").asLong()).isEqualTo(13);
        assertThat(qwen.path("error_rate").asDouble()).isEqualTo(2.0 / 12);
        assertThat(qwen.path("p50_ms").asInt()).isEqualTo(500);
        assertThat(qwen.path("p99_ms").asInt()).isEqualTo(1000);
        JsonNode gemma = series(models, "gemma-4").path("totals");
        assertThat(gemma.path("p50_ms").asInt()).isEqualTo(2000);
        assertThat(gemma.path("p99_ms").asInt()).isEqualTo(8000);
        assertThat(gemma.path("error_rate").asDouble()).isZero();
        assertThat(gemma.path("tokens").asLong()).isEqualTo(2000);
        JsonNode none = series(models, "(none)").path("totals");
        assertThat(none.path("error_rate").isNull()).as("only blocked requests: no rate").isTrue();
        assertThat(none.path("p50_ms").isNull()).isTrue();

        JsonNode pools = t.path("pools");
        assertThat(pools.findValuesAsText("name")).as("requests without a pool are in no pool")
                .containsExactly("default", "gpu-pool");
        assertThat(series(pools, "default").path("totals").path("requests").asLong()).isEqualTo(12);
        assertThat(series(pools, "gpu-pool").path("totals").path("p99_ms").asInt()).isEqualTo(8000);

        long inBuckets = 0;
        for (JsonNode b : t.path("overall")) {
            inBuckets += b.path("requests").asLong();
        }
        assertThat(inBuckets).as("every request in exactly one bucket").isEqualTo(18);
        JsonNode qwenBuckets = series(models, "qwen").path("buckets");
        assertThat(qwenBuckets).hasSize(60);
        long qwenInBuckets = 0;
        int withLatency = 0;
        for (JsonNode b : qwenBuckets) {
            qwenInBuckets += b.path("requests").asLong();
            withLatency += b.path("p50_ms").isNull() ? 0 : 1;
        }
        assertThat(qwenInBuckets).isEqualTo(13);
        assertThat(withLatency).as("one completed qwen request every 4 minutes").isEqualTo(10);
    }

    @Test
    void the_last_day_has_fifteen_minute_buckets_and_leaves_out_what_is_older() {
        JsonNode t = traffic("24h");
        assertThat(t.path("bucket_seconds").asLong()).isEqualTo(900);
        assertThat(t.path("buckets")).hasSize(96);
        assertThat(t.path("totals").path("requests").asLong()).as("18 in the last hour, 5 three hours ago").isEqualTo(23);
        assertThat(series(t.path("models"), "qwen").path("totals").path("requests").asLong()).isEqualTo(18);
    }

    @Test
    void an_unknown_window_is_refused_naming_the_windows() {
        HttpResponse<String> r = get("/admin/api/traffic?window=7d");
        assertProblem(r, 400, "invalid_window");
        assertThat(r.body()).contains("1h or 24h");
    }
}
