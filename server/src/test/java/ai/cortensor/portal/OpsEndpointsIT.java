package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
        for (String path : List.of("/health", "/ready", "/metrics", "/nope")) {
            HttpResponse<String> r = onManagement(path);
            assertThat(r.headers().firstValue("x-request-id")).as("management " + path)
                    .hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        }
    }

    @Test
    void metrics_are_served_on_the_management_port_and_not_on_the_customers_port() throws Exception {
        assertThat(harness.portal.managementPort()).isNotEqualTo(harness.portal.port()).isPositive();
        HttpResponse<String> management = onManagement("/metrics");
        assertThat(management.statusCode()).isEqualTo(200);
        assertThat(management.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(management.body()).contains("portal_requests_in_flight").contains("jvm_memory_used_bytes");

        HttpResponse<String> customers = harness.get("/metrics", null);
        assertThat(customers.statusCode()).isEqualTo(404);
        JsonNode error = Json.MAPPER.readTree(customers.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("unknown_url");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(customers.body()).doesNotContain("portal_");
    }

    @Test
    void health_and_ready_answer_on_both_ports_and_the_management_port_serves_nothing_else() throws Exception {
        for (String path : List.of("/health", "/ready")) {
            assertThat(harness.get(path, null).statusCode()).as("customers' port " + path).isEqualTo(200);
            assertThat(onManagement(path).statusCode()).as("management port " + path).isEqualTo(200);
        }
        assertThat(Json.MAPPER.readTree(onManagement("/health").body()).get("status").asText()).isEqualTo("ok");
        String key = harness.newKey("mgmt-only@example.com");
        HttpResponse<String> models = harness.send(HttpRequest.newBuilder(
                URI.create(harness.managementUrl() + "/v1/models")).header("Authorization", "Bearer " + key).build());
        assertThat(models.statusCode()).as("the API is not on the management port").isEqualTo(404);
        assertThat(onManagement("/admin").statusCode()).as("nor the operator console").isEqualTo(404);
    }

    private static HttpResponse<String> onManagement(String path) {
        return harness.send(HttpRequest.newBuilder(URI.create(harness.managementUrl() + path)).GET().build());
    }

    @Test
    void health_lists_pool_aliases_and_state_without_router_details() throws Exception {
        HttpResponse<String> r = harness.get("/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode h = Json.MAPPER.readTree(r.body());
        assertThat(h.get("status").asText()).isEqualTo("ok");
        assertThat(h.get("database").asText()).isEqualTo("up");
        assertThat(h.get("limits").toString()).isEqualTo("{\"store\":\"process\",\"up\":true}");
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
        // the request is counted in its finally, just after its answer was sent: the scrape may come first
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(harness.metrics()).contains("portal_requests_total{").contains("model=\"qwen\"").contains("pool=\"default\"")
                .contains("portal_request_duration_seconds_bucket").contains("portal_usage_queue_depth")
                .contains("jvm_memory_used_bytes").contains("portal_jvm_allocated_bytes_total"));
    }

    @Test
    void a_valid_key_is_accepted_and_an_invalid_key_rejected_on_models() {
        String key = harness.newKey("models@example.com");
        assertThat(harness.get("/v1/models", key).statusCode()).isEqualTo(200);
        assertThat(harness.get("/v1/models", "ctsr_bad").statusCode()).isEqualTo(401);
    }
}
