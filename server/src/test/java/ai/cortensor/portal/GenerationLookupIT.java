package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.web.RequestIds;
import ai.cortensor.routersim.Behavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/generation?id=} over real HTTP against the real server, PostgreSQL and the router simulators: a
 * request's model, tokens, cost (equal to its ledger entry), latency, time to first token and finish reason, for the
 * caller's own account only; and the finish reason the gateway now records for every outcome.
 */
class GenerationLookupIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static PortalHarness harness;

    @BeforeAll
    static void start() {
        harness = new PortalHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @AfterEach
    void calm() {
        harness.behave(Behavior.defaults());
    }

    private static HttpResponse<String> generation(String key, String id) {
        return harness.get("/v1/generation?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8), key);
    }

    /** The generation once its usage is written (the lookup answers 404 "retry shortly" until then). */
    private static JsonNode awaitGeneration(String key, String id) {
        HttpResponse<String> r = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> generation(key, id), x -> x.statusCode() != 404);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get("data");
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    @Test
    void a_finished_request_is_told_with_its_model_tokens_cost_latency_and_finish_reason() {
        String key = harness.newKey("lookup@example.com");
        HttpResponse<String> out = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("oss-20b", false));
        assertThat(out.statusCode()).isEqualTo(200);
        String id = out.headers().firstValue("x-request-id").orElseThrow();
        JsonNode usage = json(out).get("usage");

        JsonNode g = awaitGeneration(key, id);
        assertThat(g.get("id").asText()).isEqualTo(id);
        assertThat(g.get("model").asText()).isEqualTo("oss-20b");
        assertThat(g.get("streamed").asBoolean()).isFalse();
        assertThat(g.get("cancelled").asBoolean()).isFalse();
        assertThat(g.get("finish_reason").asText()).isEqualTo(json(out).at("/choices/0/finish_reason").asText())
                .isEqualTo("stop");
        assertThat(g.get("tokens_prompt").asInt()).isEqualTo(usage.get("prompt_tokens").asInt());
        assertThat(g.get("tokens_completion").asInt()).isEqualTo(usage.get("completion_tokens").asInt());
        assertThat(Instant.parse(g.get("created_at").asText())).isBefore(Instant.now().plusSeconds(1));
        long ledger = -harness.count("SELECT amount_micros FROM billing_ledger WHERE request_id = '" + id + "'");
        assertThat(ledger).as("a priced model costs something").isPositive();
        assertThat(g.get("total_cost_micros").asLong()).isEqualTo(ledger);
        assertThat(g.get("total_cost").isNumber()).as("total_cost is a JSON number, as OpenRouter's").isTrue();
        assertThat(g.get("total_cost").decimalValue()).isEqualByComparingTo(BigDecimal.valueOf(ledger, 6));
        int latency = g.get("latency").asInt();
        int ttft = g.get("time_to_first_token").asInt();
        assertThat(ttft).isBetween(0, latency);
        assertThat(g.get("generation_time").asInt()).isEqualTo(latency - ttft);
        Map<String, Object> log = harness.requestLog(id);
        assertThat(((Number) log.get("latency_ms")).intValue()).isEqualTo(latency);
        assertThat(log.get("finish_reason")).isEqualTo("stop");
        assertThat(g.get("api").asText()).isEqualTo("/v1/chat/completions");
        assertThat(g.get("status").asText()).isEqualTo("completed");
    }

    @Test
    void a_stream_cut_by_max_tokens_is_streamed_with_finish_reason_length() throws Exception {
        String key = harness.newKey("lookup-stream@example.com");
        HttpResponse<String> out = harness.post("/v1/chat/completions", key, "{\"model\":\"qwen\",\"stream\":true,"
                + "\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long story\"}]}");
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(out.body()).contains("\"finish_reason\":\"length\"");
        String id = out.headers().firstValue("x-request-id").orElseThrow();

        JsonNode g = awaitGeneration(key, id);
        assertThat(g.get("streamed").asBoolean()).isTrue();
        assertThat(g.get("finish_reason").asText()).isEqualTo("length");
        assertThat(g.get("tokens_completion").asInt()).isPositive()
                .isEqualTo(((Number) harness.requestLog(id).get("completion_tokens")).intValue());
        assertThat(g.get("total_cost_micros").asLong()).isEqualTo(
                -harness.count("SELECT amount_micros FROM billing_ledger WHERE request_id = '" + id + "'"));
    }

    @Test
    void a_stream_the_client_left_is_cancelled_and_costs_what_was_metered() throws Exception {
        String key = harness.newKey("lookup-left@example.com");
        harness.behave(Behavior.defaults().withCompletionTokens(2_000).withTokensPerSecond(200));
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
        }

        JsonNode g = awaitGeneration(key, id);
        assertThat(g.get("cancelled").asBoolean()).isTrue();
        assertThat(g.get("finish_reason").asText()).isEqualTo("cancelled");
        assertThat(g.get("status").asText()).isEqualTo("cancelled");
        assertThat(g.get("tokens_completion").asInt()).isBetween(1, 1_999);
        assertThat(g.get("total_cost_micros").asLong()).isEqualTo(
                -harness.count("SELECT amount_micros FROM billing_ledger WHERE request_id = '" + id + "'"));
    }

    @Test
    void a_request_refused_by_a_budget_is_told_as_an_error_that_cost_nothing() {
        String key = harness.newKey("lookup-refused@example.com");
        long keyId = harness.count("SELECT max(id) FROM api_keys");
        harness.portal.billing().setBudget(Budget.Scope.KEY, Long.toString(keyId), Budget.Period.DAY, 1L,
                new Actor("it@example.com", "customer", null, null));
        HttpResponse<String> out = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("oss-20b", false));
        assertThat(out.statusCode()).as(out.body()).isEqualTo(402);
        String id = out.headers().firstValue("x-request-id").orElseThrow();

        JsonNode g = awaitGeneration(key, id);
        assertThat(g.get("finish_reason").asText()).isEqualTo("error");
        assertThat(g.get("status").asText()).isEqualTo("blocked");
        assertThat(g.get("error_code").asText()).isEqualTo("budget_exceeded");
        assertThat(g.get("http_status").asInt()).isEqualTo(402);
        assertThat(g.get("total_cost_micros").asLong()).isZero();
        assertThat(g.get("time_to_first_token").isNull()).isTrue();
        assertThat(g.get("generation_time").isNull()).isTrue();
    }

    @Test
    void another_accounts_request_is_not_found_exactly_like_an_unknown_id() {
        String owner = harness.newKey("lookup-owner@example.com");
        String stranger = harness.newKey("lookup-stranger@example.com");
        HttpResponse<String> out = harness.post("/v1/chat/completions", owner, PortalHarness.chatBody("qwen", false));
        String id = out.headers().firstValue("x-request-id").orElseThrow();
        awaitGeneration(owner, id);
        String unknown = RequestIds.next(Instant.now().toEpochMilli());

        HttpResponse<String> theirs = generation(stranger, id);
        HttpResponse<String> nobody = generation(stranger, unknown);
        assertThat(theirs.statusCode()).isEqualTo(404);
        assertThat(nobody.statusCode()).isEqualTo(404);
        JsonNode a = json(theirs).get("error");
        JsonNode b = json(nobody).get("error");
        assertThat(a.get("code").asText()).isEqualTo("generation_not_found").isEqualTo(b.get("code").asText());
        assertThat(a.get("message").asText().replace(id, "ID"))
                .as("the answer for another account's id says nothing an unknown id's does not")
                .isEqualTo(b.get("message").asText().replace(unknown, "ID"));
        assertThat(theirs.body()).doesNotContain("qwen");
    }

    @Test
    void a_request_not_written_yet_is_a_404_that_says_to_retry_shortly() {
        String key = harness.newKey("lookup-soon@example.com");
        String fresh = RequestIds.next(Instant.now().toEpochMilli());
        HttpResponse<String> r = generation(key, fresh);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).at("/error/code").asText()).isEqualTo("generation_not_found");
        assertThat(json(r).at("/error/message").asText()).contains("retry shortly");
        assertThat(r.headers().firstValue("retry-after")).isPresent();

        String old = RequestIds.next(Instant.now().minus(Duration.ofDays(2)).toEpochMilli());
        HttpResponse<String> gone = generation(key, old);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json(gone).at("/error/message").asText()).doesNotContain("retry");
        assertThat(json(gone).at("/error/request_id").asText()).startsWith("req_");
    }

    @Test
    void the_lookup_needs_a_valid_key_an_id_and_no_other_parameter() {
        String key = harness.newKey("lookup-params@example.com");
        HttpResponse<String> noKey = generation(null, "req_x");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json(noKey).at("/error/code").asText()).isEqualTo("missing_api_key");

        HttpResponse<String> noId = harness.get("/v1/generation", key);
        assertThat(noId.statusCode()).isEqualTo(400);
        assertThat(json(noId).at("/error/param").asText()).isEqualTo("id");
        assertThat(json(noId).at("/error/code").asText()).isEqualTo("missing_required_parameter");

        HttpResponse<String> extra = harness.get("/v1/generation?id=req_x&verbose=1", key);
        assertThat(extra.statusCode()).isEqualTo(400);
        assertThat(json(extra).at("/error/param").asText()).isEqualTo("verbose");

        HttpResponse<String> post = harness.post("/v1/generation?id=req_x", key, "{}");
        assertThat(post.statusCode()).isEqualTo(405);
    }
}
