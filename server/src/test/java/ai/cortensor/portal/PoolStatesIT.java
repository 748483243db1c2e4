package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.pools.PoolStatus;
import ai.cortensor.portal.json.Json;
import ai.cortensor.routersim.Behavior;
import ai.cortensor.routersim.RouterSim;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Operator states on two real replicas sharing one database: the {@code default} pool (routers a, b) serves every
 * model, the {@code backup} pool (router c) is the fallback for {@code qwen}. A change made through one replica
 * shows on the next request to the other.
 */
class PoolStatesIT {
    static final Actor OPERATOR = new Actor("ops@example.com", "admin", "req_test", "127.0.0.1");
    static PortalHarness harness;
    static RouterSim simC;
    static Portal replica2;
    static String key;

    @BeforeAll
    static void start() {
        simC = PortalHarness.startSim("sim-c");
        harness = new PortalHarness(Map.of(
                "pool.backup.targets", "cortensor-v3 " + simC.baseUrl() + " session=11 key=main name=c",
                "pool.backup.fallback-for", "qwen"));
        replica2 = harness.startReplica("2");
        harness.plan("unmetered", "{}");
        key = harness.newKey("states@example.com", "unmetered");
    }

    @AfterAll
    static void stop() {
        replica2.close();
        harness.close();
        simC.close();
    }

    @AfterEach
    void restore() {
        var control = harness.portal.poolControl();
        control.setPoolState("default", "live", OPERATOR, "test cleanup");
        control.setPoolState("backup", "live", OPERATOR, "test cleanup");
        control.setModelEnabled("gemma-4", true, OPERATOR, "test cleanup");
        control.setTargetEnabled("default", "a", true, OPERATOR, "test cleanup");
        control.mapModel("qwen", List.of("default", "backup"), OPERATOR, "test cleanup");
        harness.behave(Behavior.defaults());
    }

    static String url2(String path) {
        return "http://127.0.0.1:" + replica2.port() + path;
    }

    static HttpResponse<String> post2(String model) {
        return harness.send(HttpRequest.newBuilder(URI.create(url2("/v1/chat/completions")))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(PortalHarness.chatBody(model, false))).build());
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).get("error");
    }

    static String poolOf(HttpResponse<String> r) {
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        return (String) await().until(() -> harness.requestLog(id), m -> !m.isEmpty()).get("pool");
    }

    /** In-flight requests on the default pool over every replica, as an operator on {@code portal} sees them. */
    static int allReplicas(Portal portal) {
        return portal.operations().pools().stream().filter(p -> p.name().equals("default")).findFirst().orElseThrow()
                .inFlightAllReplicas();
    }

    static PoolStatus status(Portal portal, String pool) {
        return portal.catalog().status().stream().filter(p -> p.name().equals(pool)).findFirst().orElseThrow();
    }

    @Test
    void draining_lets_twenty_streams_in_flight_finish_intact_while_new_requests_use_the_fallback_or_get_503()
            throws Exception {
        harness.behave(Behavior.defaults().withCompletionTokens(60).withTokensPerSecond(20)); // ~3 s per stream
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            streams.add(harness.http.sendAsync(HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(PortalHarness.chatBody("oss-20b", true))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> status(harness.portal, "default").inFlight() == 20);
        await("the other replica sees them in the all-replicas count").atMost(Duration.ofSeconds(2))
                .until(() -> allReplicas(replica2) == 20);

        var t = harness.portal.poolControl().setPoolState("default", "draining", OPERATOR, "router maintenance");
        assertThat(t.before()).isEqualTo("live");

        await().atMost(Duration.ofSeconds(1)).until(() -> status(replica2, "default").state().equals("draining"));
        HttpResponse<String> fallback = post2("qwen");
        assertThat(fallback.statusCode()).isEqualTo(200);
        assertThat(poolOf(fallback)).as("qwen falls back to its backup pool").isEqualTo("backup");
        HttpResponse<String> none = post2("oss-20b");
        assertThat(none.statusCode()).as("oss-20b has no fallback").isEqualTo(503);
        assertThat(error(none).get("code").asText()).isEqualTo("model_unavailable");
        assertThat(none.headers().firstValue("retry-after")).isPresent();
        PoolStatus draining = status(harness.portal, "default");
        assertThat(draining.state()).isEqualTo("draining");
        assertThat(draining.inFlight()).as("streams still running while draining").isPositive();

        for (CompletableFuture<HttpResponse<String>> s : streams) {
            HttpResponse<String> r = s.get();
            assertThat(r.statusCode()).isEqualTo(200);
            String text = RouterFailuresIT.dataLines(r.body()).stream().filter(e -> e.contains("\"content\""))
                    .map(e -> RouterFailuresIT.readTree(e).get("choices").get(0).get("delta").get("content").asText())
                    .collect(Collectors.joining());
            assertThat(text).as("the answer after gpt-oss's analysis").isEqualTo(SimWords.text(60).strip());
            assertThat(r.body()).endsWith("data: [DONE]\n\n");
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> status(harness.portal, "default").inFlight() == 0);
        await().atMost(Duration.ofSeconds(3)).until(() -> allReplicas(replica2) == 0);
        harness.portal.poolControl().setPoolState("default", "paused", OPERATOR, "drained");
        assertThat(harness.count("SELECT count(*) FROM audit_events WHERE action IN ('pool.drain', 'pool.pause') "
                + "AND target_id = 'default' AND actor = 'ops@example.com' AND reason IN ('router maintenance', 'drained')"))
                .isEqualTo(2);
    }

    @Test
    void pause_and_resume_show_on_the_next_request_on_another_replica() throws Exception {
        harness.portal.poolControl().setPoolState("default", "paused", OPERATOR, "incident 42");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> post2("oss-20b").statusCode() == 503);
        HttpResponse<String> paused = post2("oss-20b");
        assertThat(error(paused).get("code").asText()).isEqualTo("model_unavailable");
        assertThat(error(paused).get("message").asText()).contains("oss-20b");
        assertThat(paused.headers().firstValue("retry-after")).contains("5");
        assertThat(harness.get("/health", null).body()).contains("\"name\":\"default\",\"state\":\"paused\"");

        harness.portal.poolControl().setPoolState("default", "live", OPERATOR, "resolved");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> post2("oss-20b").statusCode() == 200);
        Map<String, Object> audit = harness.jdbi().withHandle(h -> h.createQuery(
                "SELECT * FROM audit_events WHERE action = 'pool.resume' ORDER BY id DESC LIMIT 1").mapToMap().one());
        assertThat(audit.get("reason")).isEqualTo("resolved");
        assertThat(audit.get("before_state").toString()).contains("paused");
        assertThat(audit.get("after_state").toString()).contains("live");
    }

    @Test
    void health_answers_503_while_no_pool_can_serve_and_200_again_once_one_can() throws Exception {
        var control = harness.portal.poolControl();
        control.setPoolState("default", "paused", OPERATOR, "incident 43");
        control.setPoolState("backup", "paused", OPERATOR, "incident 43");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> harness.get("/health", null).statusCode() == 503);
        HttpResponse<String> down = harness.get("/health", null);
        assertThat(Json.MAPPER.readTree(down.body()).get("status").asText()).isEqualTo("unavailable");
        assertThat(down.headers().firstValue("content-type")).hasValue("application/json");
        HttpResponse<String> management = harness.send(HttpRequest.newBuilder(
                URI.create(harness.managementUrl() + "/health")).GET().build());
        assertThat(management.statusCode()).as("the management listener answers alike").isEqualTo(503);
        assertThat(management.body()).contains("\"status\":\"unavailable\"");

        control.setPoolState("backup", "live", OPERATOR, "backup is fine");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> harness.get("/health", null).statusCode() == 200);
        assertThat(Json.MAPPER.readTree(harness.get("/health", null).body()).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void a_disabled_model_is_hidden_and_404_model_disabled_on_another_replica_until_enabled() throws Exception {
        harness.portal.poolControl().setModelEnabled("gemma-4", false, OPERATOR, "bad outputs");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> post2("gemma-4").statusCode() == 404);
        assertThat(error(post2("gemma-4")).get("code").asText()).isEqualTo("model_disabled");
        String models = harness.send(HttpRequest.newBuilder(URI.create(url2("/v1/models")))
                .header("Authorization", "Bearer " + key).GET().build()).body();
        assertThat(models).doesNotContain("gemma-4").contains("qwen");

        harness.portal.poolControl().setModelEnabled("gemma-4", true, OPERATOR, "fixed");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> post2("gemma-4").statusCode() == 200);
    }

    @Test
    void live_edits_to_mappings_and_targets_apply_on_the_next_request_on_another_replica() {
        harness.portal.poolControl().mapModel("qwen", List.of("backup"), OPERATOR, "move qwen");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> "backup".equals(poolOf(post2("qwen"))));

        harness.portal.poolControl().setTargetEnabled("default", "a", false, OPERATOR, "router a maintenance");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> status(replica2, "default").targets().stream()
                        .anyMatch(t -> t.name().equals("a") && t.state().equals("disabled")));
        long before = harness.simA.stats().completions();
        for (int i = 0; i < 20; i++) {
            assertThat(post2("oss-20b").statusCode()).isEqualTo(200);
        }
        assertThat(harness.simA.stats().completions()).as("a disabled target gets nothing").isEqualTo(before);
        assertThat(harness.count("SELECT count(*) FROM audit_events WHERE action IN ('model.map', 'target.disable')"))
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void an_edit_made_by_hand_in_sql_reaches_another_replica_on_the_next_request() {
        try {
            harness.jdbi().useHandle(h -> h.execute("UPDATE models SET state = 'disabled' WHERE alias = 'oss-120b'"));
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(() -> post2("oss-120b").statusCode() == 404);
        } finally {
            harness.jdbi().useHandle(h -> h.execute("UPDATE models SET state = 'enabled' WHERE alias = 'oss-120b'"));
        }
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> post2("oss-120b").statusCode() == 200);
    }

    @Test
    void a_transition_to_the_current_state_changes_and_audits_nothing() {
        long before = harness.count("SELECT count(*) FROM audit_events");
        var t = harness.portal.poolControl().setPoolState("backup", "live", OPERATOR, "no-op");
        assertThat(t.changed()).isFalse();
        assertThat(harness.count("SELECT count(*) FROM audit_events")).isEqualTo(before);
    }
}
