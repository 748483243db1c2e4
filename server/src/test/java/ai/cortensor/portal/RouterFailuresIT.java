package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.usage.TokenCounter;
import ai.cortensor.portal.json.Json;
import ai.cortensor.routersim.Behavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Router faults injected in the simulator become clear gateway errors, and metering stays exact. */
class RouterFailuresIT {
    static PortalHarness harness;
    static String key;

    @BeforeAll
    static void start() {
        // every case fails both targets on purpose: keep them in selection so each case sees the raw error mapping
        harness = new PortalHarness(Map.of("health.eject-after-failures", "1000", "health.min-requests", "1000000",
                "health.probe-interval", "PT1H"));
        key = harness.newKey("faults@example.com");
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void healthy() {
        harness.behave(Behavior.defaults());
    }

    static Map<String, Object> awaitLog(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> harness.requestLog(requestId), m -> !m.isEmpty());
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "HTTP_500, 502, router_error",
            "HTTP_502, 502, router_error",
            "HTTP_503, 503, router_overloaded",
            "RESET_BEFORE_FIRST_BYTE, 502, router_unavailable",
            "TIMEOUT, 504, router_timeout",
    })
    void router_failure_before_first_byte_is_a_clear_gateway_error(Behavior.Failure failure, int status,
                                                                     String code) throws Exception {
        harness.behave(Behavior.defaults().withFailure(failure).withTimeoutMillis(5_000));

        HttpResponse<String> r = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));

        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode e = Json.MAPPER.readTree(r.body()).get("error");
        assertThat(e.get("code").asText()).isEqualTo(code);
        assertThat(e.get("type").asText()).isEqualTo("server_error");
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(e.get("request_id").asText()).isEqualTo(id);
        assertNoRouterDetails(r);
        if (status == 503) {
            assertThat(r.headers().firstValue("retry-after")).isPresent();
        }
        Map<String, Object> log = awaitLog(id);
        assertThat(log.get("status")).isEqualTo("failed");
        assertThat(log.get("error_code")).isEqualTo(code);
        assertThat(log.get("pool")).isEqualTo("default");
        assertThat(log.get("target")).isIn("a", "b");
        assertThat(log.get("forwarded_at")).isNotNull();
        assertThat(harness.usageEvents(id)).as("nothing was served, nothing is billed").isEmpty();
        String tried = harness.jdbi().withHandle(h -> h.createQuery(
                        "SELECT string_agg(a->>'target', ',') FROM request_logs, jsonb_array_elements(attempts) a WHERE request_id = :id")
                .bind("id", id).mapTo(String.class).one());
        assertThat(tried).as("failed before the first byte on one target, so tried on the other too").isIn("a,b", "b,a");
    }

    @Test
    void stream_cut_by_the_router_ends_with_an_error_event_and_meters_delivered_tokens() throws Exception {
        harness.behave(Behavior.defaults().withFailure(Behavior.Failure.CUT_MID_STREAM).withCutAfterChunks(3));

        // gemma-4 without thinking answers straight away, so the three frames are three words of content
        HttpResponse<String> r = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("gemma-4", true));

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = dataLines(r.body());
        assertThat(events).doesNotContain("[DONE]");
        JsonNode last = Json.MAPPER.readTree(events.get(events.size() - 1));
        assertThat(last.get("error").get("code").asText()).isEqualTo("router_stream_interrupted");
        String delivered = events.stream().filter(e -> e.contains("\"delta\""))
                .map(e -> readTree(e).get("choices").get(0).get("delta").path("content").asText())
                .reduce("", String::concat);
        assertThat(delivered).isEqualTo(SimWords.text(3).strip());

        String id = r.headers().firstValue("x-request-id").orElseThrow();
        Map<String, Object> log = awaitLog(id);
        assertThat(log.get("status")).isEqualTo("failed");
        assertThat(log.get("error_code")).isEqualTo("router_stream_interrupted");
        List<Map<String, Object>> usage = harness.usageEvents(id);
        assertThat(usage).hasSize(1);
        assertThat((Integer) usage.get(0).get("completion_tokens"))
                .as("delivered text counted by the tokenizer").isEqualTo(new TokenCounter().count(SimWords.text(3)));
        assertThat(usage.get(0).get("tokens_estimated")).isEqualTo(true);
    }

    @Test
    void interleaved_miners_are_demultiplexed_to_the_first_one() throws Exception {
        harness.behave(Behavior.defaults().withInterleaveMiners(true).withCommentLines(true).withCompletionTokens(8));

        HttpResponse<String> r = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("gemma-4", true));

        List<String> events = dataLines(r.body());
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        String text = events.stream().filter(e -> e.contains("\"content\""))
                .map(e -> readTree(e).get("choices").get(0).get("delta").get("content").asText())
                .reduce("", String::concat);
        assertThat(text).isEqualTo(SimWords.text(8).strip());
    }

    @Test
    void usage_is_recorded_without_include_usage_and_for_abandoned_streams() throws Exception {
        harness.behave(Behavior.defaults().withCompletionTokens(400).withTokensPerSecond(200));
        HttpRequest req = HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(PortalHarness.chatBody("qwen", true))).build();
        HttpResponse<InputStream> r = harness.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            int frames = 0;
            while (frames < 5) {
                if (in.readLine().startsWith("data:")) {
                    frames++;
                }
            }
        } // closing the body abandons the stream mid-way

        Map<String, Object> log = await().atMost(Duration.ofSeconds(15))
                .until(() -> harness.requestLog(id), m -> !m.isEmpty());
        assertThat(log.get("status")).isEqualTo("cancelled");
        List<Map<String, Object>> usage = harness.usageEvents(id);
        assertThat(usage).hasSize(1);
        assertThat((Integer) usage.get(0).get("completion_tokens")).isBetween(5, 399);
        assertThat(usage.get(0).get("status")).isEqualTo("cancelled");
    }

    @Test
    void no_response_reveals_router_urls_sessions_or_keys() throws Exception {
        String body = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).body()
                + harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", true)).body()
                + harness.get("/health", null).body() + harness.get("/v1/models", key).body();
        assertThat(body).doesNotContain(PortalHarness.ROUTER_KEY)
                .doesNotContain(harness.simA.baseUrl()).doesNotContain(harness.simB.baseUrl())
                .doesNotContain("\"session").doesNotContain("cmpl-1").doesNotContain("task_id");
        String metrics = harness.metrics();
        assertThat(metrics).doesNotContain(PortalHarness.ROUTER_KEY).doesNotContain(harness.simA.baseUrl());
        assertThat(harness.config.describe()).doesNotContain(PortalHarness.ROUTER_KEY);
    }

    @Test
    void the_router_receives_the_rendered_prompt_session_key_and_request_id() {
        HttpResponse<String> r = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        List<String> bodies = new java.util.ArrayList<>(harness.simA.stats().lastBodies());
        bodies.addAll(harness.simB.stats().lastBodies());
        String sent = bodies.stream().filter(b -> b.contains(id)).findFirst().orElseThrow();
        assertThat(sent).contains("<|im_start|>user\\nSay hello to the test<|im_end|>")
                .contains("\"prompt_type\":1").contains("\"client_reference\":\"" + id + "\"");
    }

    private static void assertNoRouterDetails(HttpResponse<String> r) {
        assertThat(r.body()).doesNotContain("127.0.0.1").doesNotContain("detail").doesNotContain("session");
    }

    static List<String> dataLines(String sse) {
        return sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    }

    static JsonNode readTree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
