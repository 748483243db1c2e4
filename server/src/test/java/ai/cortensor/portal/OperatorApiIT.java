package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.changes.ChangeFeed;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator API over real HTTP against real PostgreSQL: authorization, every action, its audit row, bad input. */
class OperatorApiIT {
    static PortalHarness h;
    static String admin;
    static String support;

    @BeforeAll
    static void start() throws Exception {
        h = new PortalHarness();
        admin = new OperatorStore(h.jdbi(), new SecureRandom())
                .issue("root@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        var created = call("POST", "/admin/api/operators", admin,
                "{\"email\":\"helpdesk@ops.test\",\"role\":\"support\",\"reason\":\"new support hire\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        support = json(created).path("token").asText();
        assertThat(support).startsWith("ctop_");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static HttpResponse<String> call(String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return h.send(b.build());
    }

    static HttpResponse<String> get(String path, String token) {
        return call("GET", path, token, null);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** A JSON problem with the response's request id and no trace of a stack. */
    static void assertProblem(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode e = json(r).path("error");
        assertThat(e.path("code").asText()).isEqualTo(code);
        assertThat(e.path("message").asText()).isNotBlank();
        assertThat(e.path("request_id").asText()).isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("ai.cortensor");
    }

    static long userId(String email) {
        return h.portal.accounts().findByEmail(email).orElseThrow().id();
    }

    static String prefix(String token) {
        return token.substring(0, 17);
    }

    static List<Map<String, Object>> audit(String action, String targetId) {
        return h.jdbi().withHandle(x -> x.createQuery(
                        "SELECT * FROM audit_events WHERE action = :a AND target_id = :t ORDER BY id")
                .bind("a", action).bind("t", targetId).mapToMap().list());
    }

    static HttpResponse<String> chat(String key, String model) {
        return h.post("/v1/chat/completions", key, PortalHarness.chatBody(model, false));
    }

    @Test
    void admin_api_refuses_no_token_customer_keys_and_unknown_tokens_and_v1_refuses_operator_tokens() {
        String customerKey = h.newKey("refused@example.com");
        assertProblem(get("/admin/api/me", null), 401, "missing_operator_token");
        assertProblem(get("/admin/api/users/refused@example.com", customerKey), 401, "invalid_operator_token");
        assertProblem(get("/admin/api/me", "ctop_AAAAAAAAAAAA_" + "A".repeat(40)), 401, "invalid_operator_token");
        // a different last character (replacing it with a fixed one was a no-op when the token ended with it)
        char last = admin.charAt(admin.length() - 1);
        assertProblem(get("/admin/api/me", admin.substring(0, admin.length() - 1) + (last == 'x' ? 'y' : 'x')), 401,
                "invalid_operator_token");
        var v1 = chat(admin, "qwen");
        assertThat(v1.statusCode()).isEqualTo(401);
        assertThat(json(v1).path("error").path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(json(get("/admin/api/me", support)).path("role").asText()).isEqualTo("support");
        assertThat(json(get("/admin/api/me", admin)).path("role").asText()).isEqualTo("admin");
    }

    @Test
    void support_may_read_revoke_and_pause_but_not_unpause_or_change_the_catalog() {
        String key = h.newKey("supported@example.com");
        long user = userId("supported@example.com");
        assertThat(get("/admin/api/users/supported@example.com", support).statusCode()).isEqualTo(200);
        assertThat(get("/admin/api/pools", support).statusCode()).isEqualTo(200);
        assertThat(get("/admin/api/audit", support).statusCode()).isEqualTo(200);
        String reason = "{\"reason\":\"ticket 7\"}";
        assertProblem(call("POST", "/admin/api/accounts/u" + user + "/unpause", support, reason), 403, "forbidden");
        assertProblem(call("POST", "/admin/api/models/qwen/disable", support, reason), 403, "forbidden");
        assertProblem(call("POST", "/admin/api/pools/default/drain", support, reason), 403, "forbidden");
        assertProblem(call("POST", "/admin/api/pools/default/targets/a/disable", support, reason), 403, "forbidden");
        assertProblem(call("POST", "/admin/api/operators", support,
                "{\"email\":\"x@ops.test\",\"role\":\"admin\",\"reason\":\"r\"}"), 403, "forbidden");
        assertThat(h.count("SELECT count(*) FROM audit_events WHERE actor_role = 'support'")).isZero();

        assertThat(call("POST", "/admin/api/accounts/u" + user + "/pause", support, reason).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/admin/api/keys/" + prefix(key) + "/revoke", support, reason).statusCode()).isEqualTo(200);
        assertThat(audit("account.pause", "u" + user)).singleElement().satisfies(a ->
                assertThat(a).containsEntry("actor", "helpdesk@ops.test").containsEntry("actor_role", "support"));
    }

    @Test
    void revoking_a_key_rejects_it_at_once_publishes_the_change_and_audits_who_why_and_the_request() {
        String key = h.newKey("revokee@example.com");
        assertThat(chat(key, "qwen").statusCode()).isEqualTo(200);
        List<String> published = new CopyOnWriteArrayList<>();
        h.portal.changes().subscribe(ChangeFeed.KEY, published::add);

        var r = call("POST", "/admin/api/keys/" + prefix(key) + "/revoke", admin, "{\"reason\":\"leaked on GitHub\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode done = json(r);
        assertThat(done.path("changed").asBoolean()).isTrue();
        assertThat(done.path("result").path("status").asText()).isEqualTo("revoked");
        assertThat(done.path("result").path("revoked_by").asText()).isEqualTo("root@ops.test");
        assertThat(done.path("result").path("revoked_reason").asText()).isEqualTo("leaked on GitHub");
        assertThat(r.body()).doesNotContain(key.substring(18)).doesNotContain("secret");

        var refused = chat(key, "qwen");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("revoked_api_key");
        String publicId = key.substring(5, 17);
        await().atMost(Duration.ofSeconds(5)).until(() -> published.contains(publicId));

        String keyId = done.path("result").path("id").asText();
        assertThat(audit("api_key.revoke", keyId)).singleElement().satisfies(a -> {
            assertThat(a).containsEntry("actor", "root@ops.test").containsEntry("actor_role", "admin")
                    .containsEntry("reason", "leaked on GitHub").containsEntry("target_type", "api_key")
                    .containsEntry("request_id", r.headers().firstValue("x-request-id").orElseThrow())
                    .containsEntry("client_addr", "127.0.0.1");
            assertThat(a.get("before_state").toString()).contains("active");
            assertThat(a.get("after_state").toString()).contains("revoked");
        });
        var again = call("POST", "/admin/api/keys/" + keyId + "/revoke", admin, "{\"reason\":\"twice\"}");
        assertThat(json(again).path("changed").asBoolean()).isFalse();
        assertThat(audit("api_key.revoke", keyId)).hasSize(1);
    }

    @Test
    void pausing_an_account_refuses_every_key_with_account_paused_until_it_is_unpaused() {
        String first = h.newKey("pausee@example.com");
        long user = userId("pausee@example.com");
        String second = h.portal.keys().issue("second", user, null, null).token();
        assertThat(chat(first, "qwen").statusCode()).isEqualTo(200);
        assertThat(chat(second, "qwen").statusCode()).isEqualTo(200);
        List<String> published = new CopyOnWriteArrayList<>();
        h.portal.changes().subscribe(ChangeFeed.ACCOUNT, published::add);

        assertProblem(call("POST", "/admin/api/accounts/u" + user + "/pause", admin, "{}"), 400, "reason_required");
        var paused = call("POST", "/admin/api/accounts/pausee@example.com/pause", admin, "{\"reason\":\"abuse report 12\"}");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(json(paused).path("result").path("paused").path("reason").asText()).isEqualTo("abuse report 12");
        for (String k : List.of(first, second)) {
            var r = chat(k, "qwen");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(json(r).path("error").path("code").asText()).isEqualTo("account_paused");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> published.contains("u" + user));
        var status = json(get("/admin/api/accounts/u" + user + "/status", support));
        assertThat(status.path("blocked").asBoolean()).isTrue();
        assertThat(status.path("reasons").get(0).path("code").asText()).isEqualTo("account_paused");
        assertThat(json(get("/admin/api/keys/" + prefix(first), support)).path("status").asText()).isEqualTo("account_paused");

        assertThat(call("POST", "/admin/api/accounts/u" + user + "/unpause", admin, "{\"reason\":\"resolved\"}")
                .statusCode()).isEqualTo(200);
        assertThat(chat(first, "qwen").statusCode()).isEqualTo(200);
        assertThat(chat(second, "qwen").statusCode()).isEqualTo(200);
        assertThat(audit("account.pause", "u" + user)).singleElement()
                .satisfies(a -> assertThat(a).containsEntry("reason", "abuse report 12"));
        assertThat(audit("account.unpause", "u" + user)).singleElement()
                .satisfies(a -> assertThat(a).containsEntry("reason", "resolved"));
    }

    @Test
    void lookups_find_users_by_email_id_and_key_prefix_and_keys_by_prefix_or_id_without_secrets() {
        String key = h.newKey("looked-up@example.com");
        long user = userId("looked-up@example.com");
        for (String ref : List.of("looked-up@example.com", Long.toString(user), prefix(key), key)) {
            var r = get("/admin/api/users/" + java.net.URLEncoder.encode(ref, java.nio.charset.StandardCharsets.UTF_8), support);
            assertThat(r.statusCode()).as(ref).isEqualTo(200);
            assertThat(json(r).path("email").asText()).isEqualTo("looked-up@example.com");
            assertThat(r.body()).doesNotContain("password").doesNotContain(key.substring(18));
        }
        JsonNode k = json(get("/admin/api/keys/" + prefix(key).substring(0, 10), support));
        assertThat(k.path("prefix").asText()).isEqualTo(prefix(key));
        assertThat(k.path("owner_email").asText()).isEqualTo("looked-up@example.com");
        assertThat(k.path("status").asText()).isEqualTo("active");
        assertThat(k.path("account").asText()).isEqualTo("u" + user);
        assertThat(k.has("secret_hash")).isFalse();
        assertThat(json(get("/admin/api/keys/" + k.path("id").asText(), support)).path("prefix").asText())
                .isEqualTo(prefix(key));
        assertThat(json(get("/admin/api/keys?account=u" + user, support)).path("data")).hasSize(1);
        assertProblem(get("/admin/api/keys/ctsr_zzzzzzzzzzzz", support), 404, "not_found");
        assertProblem(get("/admin/api/users/nobody@example.com", support), 404, "not_found");
        assertProblem(get("/admin/api/organizations/999999", support), 404, "not_found");
    }

    @Test
    void account_status_explains_a_rate_limit_with_the_plan_and_counters() {
        h.plan("one-rpm", "{\"rpm\": 1, \"max_concurrent\": 5}");
        String key = h.newKey("limited@example.com", "one-rpm");
        long user = userId("limited@example.com");
        assertThat(chat(key, "qwen").statusCode()).isEqualTo(200);
        assertThat(chat(key, "qwen").statusCode()).isEqualTo(429);
        JsonNode s = json(get("/admin/api/accounts/u" + user + "/status?model=qwen", support));
        assertThat(s.path("plan").asText()).isEqualTo("one-rpm");
        assertThat(s.path("blocked").asBoolean()).isTrue();
        assertThat(s.path("reasons").get(0).path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(s.path("limits").findValuesAsText("kind")).contains("rpm");
        JsonNode rpm = null;
        for (JsonNode l : s.path("limits")) {
            if (l.path("kind").asText().equals("rpm")) {
                rpm = l;
            }
        }
        assertThat(rpm.path("used").asLong()).isEqualTo(1);
        assertThat(rpm.path("max").asLong()).isEqualTo(1);
        JsonNode ks = json(get("/admin/api/keys/" + prefix(key) + "/status", support));
        assertThat(ks.path("blocked").asBoolean()).isTrue();
        assertThat(ks.path("plan").asText()).isEqualTo("one-rpm");
    }

    @Test
    void a_lifecycle_says_usage_was_recorded_when_its_row_was_written_after_the_request_ended() {
        String key = h.newKey("recorded-at@example.com");
        var r = chat(key, "qwen");
        assertThat(r.statusCode()).isEqualTo(200);
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> h.count(
                "SELECT count(*) FROM usage_events WHERE request_id = '" + id + "'") == 1);

        JsonNode life = json(get("/admin/api/requests/" + id, support));
        Map<String, java.time.Instant> at = new java.util.HashMap<>();
        life.path("stages").forEach(s -> at.put(s.path("stage").asText(), java.time.Instant.parse(s.path("at").asText())));
        java.time.Instant accepted = at.get("accepted");
        java.time.Instant ended = at.get("completed");
        java.time.Instant recorded = at.get("usage_recorded");
        assertThat(ended).isAfter(accepted);
        assertThat(recorded).as("the usage row is written after the request ended, not at its start")
                .isAfter(ended);
        assertThat(java.time.Instant.parse(life.path("usage_event").path("recorded_at").asText())).isEqualTo(recorded);
        assertThat(h.count("SELECT count(*) FROM usage_events WHERE request_id = '" + id
                + "' AND recorded_at > occurred_at")).isEqualTo(1);
    }

    @Test
    void requests_page_with_a_cursor_filter_by_status_and_show_each_lifecycle() {
        String key = h.newKey("inspected@example.com");
        long user = userId("inspected@example.com");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var r = chat(key, "qwen");
            assertThat(r.statusCode()).isEqualTo(200);
            ids.add(r.headers().firstValue("x-request-id").orElseThrow());
        }
        var blocked = chat(key, "no-such-model");
        String blockedId = blocked.headers().firstValue("x-request-id").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> h.count(
                "SELECT count(*) FROM request_logs WHERE user_id = " + user) == 4);

        JsonNode first = json(get("/admin/api/requests?account=u" + user + "&limit=2", support));
        assertThat(first.path("data")).hasSize(2);
        String cursor = first.path("next_cursor").asText();
        assertThat(cursor).isNotBlank();
        JsonNode second = json(get("/admin/api/requests?account=u" + user + "&limit=2&cursor=" + cursor, support));
        assertThat(second.path("data")).hasSize(2);
        assertThat(second.path("next_cursor").isNull()).isTrue();
        Set<String> seen = new HashSet<>(first.path("data").findValuesAsText("request_id"));
        seen.addAll(second.path("data").findValuesAsText("request_id"));
        assertThat(seen).hasSize(4).containsAll(ids).contains(blockedId);

        JsonNode onlyModel = json(get("/admin/api/requests?user=" + user + "&model=qwen&status=completed&pool=default", support));
        assertThat(onlyModel.path("data").findValuesAsText("request_id")).containsExactlyInAnyOrderElementsOf(ids);

        JsonNode life = json(get("/admin/api/requests/" + ids.get(0), support));
        assertThat(life.path("stages").findValuesAsText("stage"))
                .containsExactly("accepted", "forwarded", "completed", "usage_recorded", "charged");
        assertThat(life.path("request").path("pool").asText()).isEqualTo("default");
        assertThat(life.path("usage_event").path("total_tokens").asInt()).isPositive();
        JsonNode failed = json(get("/admin/api/requests/" + blockedId, support));
        assertThat(failed.path("request").path("status").asText()).isNotEqualTo("completed");
        assertThat(failed.path("stages").get(0).path("stage").asText()).isEqualTo("accepted");
        assertProblem(get("/admin/api/requests/req_unknown", support), 404, "not_found");
    }

    @Test
    void live_edits_of_a_model_mapping_and_a_target_capacity_apply_and_are_audited_and_bad_values_are_400() {
        String key = h.newKey("edits@example.com");
        h.jdbi().useHandle(x -> x.execute("INSERT INTO router_pools (name) VALUES ('spare') ON CONFLICT DO NOTHING"));
        var mapped = call("POST", "/admin/api/models/qwen/pools", admin,
                "{\"pools\":[\"default\",\"spare\"],\"reason\":\"spare as fallback\"}");
        assertThat(mapped.statusCode()).isEqualTo(200);
        assertThat(json(mapped).path("changed").asBoolean()).isTrue();
        assertThat(json(mapped).path("result").path("before").asText()).isEqualTo("default");
        assertThat(json(mapped).path("result").path("after").asText()).isEqualTo("default,spare");
        await().atMost(Duration.ofSeconds(1)).until(() -> json(get("/admin/api/pools", support)).path("data")
                .toString().contains("\"fallback_for\":[\"qwen\"]"));
        var unchanged = call("POST", "/admin/api/models/qwen/pools", admin,
                "{\"pools\":[\"default\",\"spare\"],\"reason\":\"again\"}");
        assertThat(json(unchanged).path("changed").asBoolean()).isFalse();
        assertProblem(call("POST", "/admin/api/models/qwen/pools", admin, "{\"pools\":[\"nope\"],\"reason\":\"x\"}"),
                404, "not_found");
        assertProblem(call("POST", "/admin/api/models/qwen/pools", admin, "{\"pools\":\"default\",\"reason\":\"x\"}"),
                400, "invalid_pools");

        var capacity = call("POST", "/admin/api/pools/default/targets/a/capacity", admin,
                "{\"weight\":3,\"max_concurrency\":64,\"reason\":\"bigger router\"}");
        assertThat(capacity.statusCode()).isEqualTo(200);
        assertThat(json(capacity).path("result").path("after").asText()).isEqualTo("weight=3 max_concurrency=64");
        await().atMost(Duration.ofSeconds(1)).until(() -> json(get("/admin/api/pools", support)).path("data").get(0)
                .path("targets").toString().contains("\"weight\":3"));
        assertThat(chat(key, "qwen").statusCode()).isEqualTo(200);
        assertProblem(call("POST", "/admin/api/pools/default/targets/a/capacity", admin,
                "{\"weight\":0,\"max_concurrency\":64,\"reason\":\"x\"}"), 400, "invalid_value");
        assertProblem(call("POST", "/admin/api/pools/default/targets/a/capacity", support,
                "{\"weight\":2,\"max_concurrency\":64,\"reason\":\"x\"}"), 403, "forbidden");
        call("POST", "/admin/api/pools/default/targets/a/capacity", admin,
                "{\"weight\":1,\"max_concurrency\":256,\"reason\":\"back\"}");
        call("POST", "/admin/api/models/qwen/pools", admin, "{\"pools\":[\"default\"],\"reason\":\"back\"}");
        assertThat(audit("model.map", "qwen")).hasSize(2);
        assertThat(audit("target.capacity", "default/a")).hasSize(2);
    }

    @Test
    void model_pool_and_target_changes_take_effect_and_are_audited() {
        String key = h.newKey("catalog@example.com");
        String reason = "{\"reason\":\"incident 42\"}";
        var off = call("POST", "/admin/api/models/gemma-4/disable", admin, reason);
        assertThat(json(off).path("result").path("after").asText()).isEqualTo("disabled");
        await().atMost(Duration.ofSeconds(5)).until(() -> chat(key, "gemma-4").statusCode() == 404);
        assertThat(json(get("/admin/api/models", support)).path("data").toString()).contains("\"state\":\"disabled\"");
        call("POST", "/admin/api/models/gemma-4/enable", admin, reason);
        await().atMost(Duration.ofSeconds(5)).until(() -> chat(key, "gemma-4").statusCode() == 200);

        assertThat(call("POST", "/admin/api/pools/default/targets/b/disable", admin, reason).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/admin/api/pools/default/targets/b/enable", admin, reason).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/admin/api/pools/default/drain", admin, reason).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> json(get("/admin/api/pools", support)).path("data").get(0)
                .path("state").asText().equals("draining"));
        assertThat(call("POST", "/admin/api/pools/default/resume", admin, reason).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> chat(key, "qwen").statusCode() == 200);
        assertProblem(call("POST", "/admin/api/pools/nope/pause", admin, reason), 404, "not_found");

        for (String action : List.of("model.disable", "model.enable", "target.disable", "target.enable", "pool.drain",
                "pool.resume")) {
            JsonNode rows = json(get("/admin/api/audit?action=" + action + "&actor=root@ops.test", support)).path("data");
            assertThat(rows).as(action).hasSize(1);
            assertThat(rows.get(0).path("reason").asText()).isEqualTo("incident 42");
        }
    }

    @Test
    void bad_input_answers_json_problems_with_the_request_id() {
        String key = h.newKey("bad-input@example.com");
        assertProblem(call("POST", "/admin/api/keys/" + prefix(key) + "/revoke", admin, "{\"reason\":\"  \"}"), 400,
                "reason_required");
        assertProblem(call("POST", "/admin/api/keys/" + prefix(key) + "/revoke", admin, "{not json"), 400, "invalid_json");
        assertProblem(call("POST", "/admin/api/keys/" + prefix(key) + "/revoke", admin, "[1]"), 400, "invalid_json");
        assertProblem(call("POST", "/admin/api/keys/ctsr_unknownkey12/revoke", admin, "{\"reason\":\"x\"}"), 404, "not_found");
        assertProblem(get("/admin/api/requests?cursor=@@@", support), 400, "invalid_cursor");
        assertProblem(get("/admin/api/requests?from=yesterday", support), 400, "invalid_from");
        assertProblem(get("/admin/api/requests?limit=100000", support), 400, "invalid_limit");
        assertProblem(get("/admin/api/requests?account=bob", support), 400, "invalid_account");
        assertProblem(get("/admin/api/nothing-here", support), 404, "not_found");
        assertThat(json(get("/admin/api/keys/" + prefix(key), support)).path("status").asText()).isEqualTo("active");
    }

    @Test
    void the_audit_log_pages_filters_and_refuses_edits() {
        String reason = "{\"reason\":\"audit paging\"}";
        for (int i = 0; i < 3; i++) {
            h.newKey("audited" + i + "@example.com");
            assertThat(call("POST", "/admin/api/accounts/audited" + i + "@example.com/pause", admin, reason)
                    .statusCode()).isEqualTo(200);
        }
        JsonNode page = json(get("/admin/api/audit?action=account.pause&actor=root@ops.test&limit=2", support));
        assertThat(page.path("data")).hasSize(2);
        JsonNode rest = json(get("/admin/api/audit?action=account.pause&actor=root@ops.test&limit=2&cursor="
                + page.path("next_cursor").asText(), support));
        assertThat(rest.path("data").size()).isGreaterThanOrEqualTo(1);
        assertThat(rest.path("data").get(0).path("id").asLong()).isLessThan(page.path("data").get(1).path("id").asLong());
        assertThatThrownBy(() -> h.jdbi().useHandle(x -> x.execute("UPDATE audit_events SET reason = 'edited'")))
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> h.jdbi().useHandle(x -> x.execute("DELETE FROM audit_events")))
                .hasMessageContaining("append-only");
    }

    @Test
    void support_views_show_key_status_account_state_usage_and_failures() {
        String key = h.newKey("viewed@example.com");
        long user = userId("viewed@example.com");
        assertThat(chat(key, "qwen").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> h.count(
                "SELECT count(*) FROM usage_events WHERE user_id = " + user) == 1);
        call("POST", "/admin/api/accounts/u" + user + "/pause", admin, "{\"reason\":\"view check\"}");
        String keyStatus = h.jdbi().withHandle(x -> x.createQuery("SELECT status FROM support_key_status WHERE prefix = :p")
                .bind("p", prefix(key)).mapTo(String.class).one());
        assertThat(keyStatus).isEqualTo("account_paused");
        Map<String, Object> account = h.jdbi().withHandle(x -> x.createQuery(
                "SELECT * FROM support_account_state WHERE account = :a").bind("a", "u" + user).mapToMap().one());
        assertThat(account)
                .containsEntry("state", "paused").containsEntry("paused_reason", "view check")
                .containsEntry("plan", "dedicated").containsEntry("active_keys", 1L);
        assertThat(h.count("SELECT requests FROM support_usage_by_account_day WHERE account = 'u" + user + "'"))
                .isEqualTo(1);
        h.jdbi().useHandle(x -> x.execute("""
                INSERT INTO request_logs (request_id, accepted_at, route, status, http_status, error_code, pool, target,
                    latency_ms) VALUES ('req_view_failure', now(), '/v1/chat/completions', 'failed', 502,
                    'upstream_error', 'default', 'b', 5)"""));
        assertThat(h.count("SELECT requests FROM support_recent_failures_by_pool WHERE pool = 'default' AND target = 'b' "
                + "AND error_code = 'upstream_error'")).isPositive();
        Map<String, Object> anyKey = h.jdbi().withHandle(x -> x.createQuery("SELECT * FROM support_key_status LIMIT 1")
                .mapToMap().one());
        assertThat(anyKey.keySet()).noneMatch(c -> c.contains("hash") || c.contains("secret"));
    }
}
