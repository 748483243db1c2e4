package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpsEndpointsIT {
    static PortalHarness harness;

    @BeforeAll
    static void start() {
        harness = new PortalHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void every_response_carries_a_request_id() {
        for (String path : List.of("/health", "/ready", "/metrics", "/v1/models", "/v1/models/qwen", "/nope")) {
            HttpResponse<String> r = harness.get(path, null);
            assertThat(r.headers().firstValue("x-request-id")).as(path).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        }
    }

    @Test
    void health_lists_pool_aliases_and_state_without_router_details() throws Exception {
        HttpResponse<String> r = harness.get("/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode h = Json.MAPPER.readTree(r.body());
        assertThat(h.get("status").asText()).isEqualTo("ok");
        assertThat(h.get("database").asText()).isEqualTo("up");
        JsonNode pool = h.get("pools").get(0);
        assertThat(pool.get("name").asText()).isEqualTo("default");
        assertThat(pool.get("state").asText()).isEqualTo("live");
        assertThat(pool.get("targets").asInt()).isEqualTo(2);
        assertThat(pool.get("models").toString()).contains("qwen", "gemma-4", "oss-20b", "oss-120b");
        assertThat(r.body()).doesNotContain("127.0.0.1").doesNotContain("session");
    }

    @Test
    void ready_is_200_when_a_model_is_routable() {
        assertThat(harness.get("/ready", null).statusCode()).isEqualTo(200);
    }

    @Test
    void metrics_expose_request_counters_and_latency_histograms() {
        String key = harness.newKey("metrics@example.com");
        harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
        String m = harness.get("/metrics", null).body();
        assertThat(m).contains("portal_requests_total{").contains("model=\"qwen\"").contains("pool=\"default\"")
                .contains("portal_request_duration_seconds_bucket").contains("portal_usage_queue_depth")
                .contains("jvm_memory_used_bytes").contains("portal_jvm_allocated_bytes_total");
    }

    @Test
    void a_valid_key_is_accepted_and_an_invalid_key_rejected_on_models() {
        String key = harness.newKey("models@example.com");
        assertThat(harness.get("/v1/models", key).statusCode()).isEqualTo(200);
        assertThat(harness.get("/v1/models", "ctsr_bad").statusCode()).isEqualTo(401);
    }
}
