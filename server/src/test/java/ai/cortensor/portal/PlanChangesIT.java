package ai.cortensor.portal;

import static ai.cortensor.portal.OperatorApiIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.keys.KeyFormat;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 6 over the admin API, on two replicas of one PostgreSQL: an operator moves an account to another
 * plan or overrides its limits on replica A; replica B's admission, rate-limit headers and status answers follow
 * within the propagation limit (1 s, as {@link PropagationIT}); every change is audited with its reason; support may
 * not do it; bad input is refused with a code naming it.
 */
class PlanChangesIT {
    static PortalHarness a;
    static Portal b;
    static String admin;
    static String support;

    @BeforeAll
    static void start() {
        a = new PortalHarness();
        b = a.startReplica("b");
        OperatorStore operators = new OperatorStore(a.jdbi(), new SecureRandom());
        admin = operators.issue("plans@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        support = operators.issue("desk@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        a.close();
    }

    static HttpResponse<String> call(int port, String method, String path, String token, String body) {
        return a.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    static HttpResponse<String> onA(String method, String path, String token, String body) {
        return call(a.portal.port(), method, path, token, body);
    }

    static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(r.body(), e);
        }
    }

    static HttpResponse<String> chatOnB(String key) {
        return call(b.port(), "POST", "/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
    }

    static long userOf(String token) {
        return a.portal.keys().find(KeyFormat.parse(token).publicId()).orElseThrow().userId();
    }

    /** Replica B's own answer about the account: its caches, its counters. */
    static JsonNode statusOnB(String account) {
        return json(call(b.port(), "GET", "/admin/api/accounts/" + account + "/status", admin, null));
    }

    static JsonNode limit(JsonNode status, String kind) {
        for (JsonNode l : status.path("limits")) {
            if (l.path("kind").asText().equals(kind)) {
                return l;
            }
        }
        throw new AssertionError("no " + kind + " in " + status);
    }

    static List<Map<String, Object>> audit(String action, String target) {
        return a.jdbi().withHandle(x -> x.createQuery("SELECT * FROM audit_events WHERE action = :a AND target_id = :t "
                + "ORDER BY id").bind("a", action).bind("t", target).mapToMap().list());
    }

    @Test
    void a_plan_change_on_one_replica_is_audited_and_applies_to_the_next_request_on_the_other() {
        String key = a.newKey("upgrade@example.com", "developer");
        String account = "u" + userOf(key);
        HttpResponse<String> before = chatOnB(key);
        assertThat(before.headers().firstValue("x-ratelimit-limit-requests")).hasValue("120");

        JsonNode changed = json(onA("POST", "/admin/api/accounts/" + account + "/plan", admin,
                "{\"plan\":\"pro\",\"reason\":\"upgrade agreed in ticket #88\"}"));
        assertThat(changed.path("changed").asBoolean()).isTrue();
        assertThat(changed.path("result").path("before").asText()).isEqualTo("developer");
        assertThat(changed.path("result").path("after").asText()).isEqualTo("pro");

        PropagationIT.withinHardLimit().until(() -> chatOnB(key).headers().firstValue("x-ratelimit-limit-requests")
                .orElse("").equals("600"));
        assertThat(statusOnB(account).path("plan").asText()).isEqualTo("pro");
        var rows = audit("account.plan", account);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("actor", "plans@ops.test").containsEntry("reason", "upgrade agreed in ticket #88")
                .containsEntry("target_type", "user");
        assertThat(rows.get(0).get("before_state").toString()).contains("developer");
        assertThat(rows.get(0).get("after_state").toString()).contains("pro");

        JsonNode again = json(onA("POST", "/admin/api/accounts/" + account + "/plan", admin,
                "{\"plan\":\"pro\",\"reason\":\"double click\"}"));
        assertThat(again.path("changed").asBoolean()).isFalse();
        assertThat(audit("account.plan", account)).as("nothing changed, nothing audited").hasSize(1);
    }

    @Test
    void a_limit_override_on_one_replica_limits_admission_and_headers_on_the_other_and_shows_as_an_override() {
        String key = a.newKey("override@example.com", "developer");
        String account = "u" + userOf(key);
        assertThat(chatOnB(key).statusCode()).as("B has the account's plan cached; 1 request in its minute").isEqualTo(200);

        JsonNode set = json(onA("POST", "/admin/api/accounts/" + account + "/limits", admin,
                "{\"limits\":{\"rpm\":3,\"weekly_tokens\":5000000},\"reason\":\"throttle while we investigate #4411\"}"));
        assertThat(set.path("changed").asBoolean()).isTrue();
        assertThat(set.path("result").path("after").toString()).isEqualTo("{\"rpm\":3,\"weekly_tokens\":5000000}");

        // poll B's own status (its cache and counters) rather than spend requests of the minute on polling
        PropagationIT.withinHardLimit().until(() -> limit(statusOnB(account), "rpm").path("max").asLong() == 3);
        JsonNode status = statusOnB(account);
        assertThat(status.path("limit_overrides").toString()).isEqualTo("{\"rpm\":3,\"weekly_tokens\":5000000}");
        assertThat(limit(status, "rpm").path("source").asText()).isEqualTo("override");
        assertThat(limit(status, "weekly_tokens").path("max").asLong()).isEqualTo(5_000_000);
        assertThat(limit(status, "tpm").path("source").asText()).as("not overridden: the plan's").isEqualTo("plan");
        assertThat(limit(status, "tpm").path("max").asLong()).isEqualTo(200_000);

        HttpResponse<String> second = chatOnB(key);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
        assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("1");
        assertThat(chatOnB(key).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = chatOnB(key);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("rate_limit_exceeded").contains("3 requests per minute on your account");
        assertThat(statusOnB(account).path("reasons").toString()).contains("rate_limit_exceeded");

        JsonNode removed = json(onA("POST", "/admin/api/accounts/" + account + "/limits", admin,
                "{\"limits\":{\"rpm\":null},\"reason\":\"investigation closed\"}"));
        assertThat(removed.path("result").path("after").toString()).isEqualTo("{\"weekly_tokens\":5000000}");
        PropagationIT.withinHardLimit().until(() -> limit(statusOnB(account), "rpm").path("max").asLong() == 120);
        assertThat(chatOnB(key).headers().firstValue("x-ratelimit-limit-requests")).hasValue("120");

        JsonNode overrides = json(onA("GET", "/admin/api/accounts/" + account + "/limits", support, null));
        assertThat(overrides.path("limits").toString()).isEqualTo("{\"weekly_tokens\":5000000}");
        assertThat(overrides.path("updated_by").asText()).isEqualTo("plans@ops.test");
        assertThat(overrides.path("reason").asText()).isEqualTo("investigation closed");
        var rows = audit("account.limits", account);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get("before_state").toString()).contains("\"rpm\": 3");
        assertThat(rows.get(1).get("after_state").toString()).doesNotContain("rpm");
        JsonNode cleared = json(onA("POST", "/admin/api/accounts/" + account + "/limits", admin,
                "{\"limits\":{\"weekly_tokens\":null},\"reason\":\"back to the plan\"}"));
        assertThat(cleared.path("result").path("after").toString()).isEqualTo("{}");
        assertThat(a.count("SELECT count(*) FROM account_limit_overrides WHERE user_id = " + account.substring(1)))
                .as("no empty row is kept").isZero();
    }

    @Test
    void an_organization_plan_and_override_apply_to_every_member_key() {
        long owner = a.portal.accounts().ensureUser("org-owner@example.com", null);
        long org = new OrganizationStore(a.jdbi()).create("Plan Org", owner, Actor.system("test"));
        String key = a.portal.keys().issue("org-key", owner, org, null).token();
        assertThat(chatOnB(key).headers().firstValue("x-ratelimit-limit-requests")).as("a new organization is on free")
                .hasValue("20");
        json(onA("POST", "/admin/api/accounts/o" + org + "/plan", admin, "{\"plan\":\"developer\",\"reason\":\"org upgrade\"}"));
        json(onA("POST", "/admin/api/accounts/o" + org + "/limits", admin, "{\"limits\":{\"rpm\":77},\"reason\":\"custom deal\"}"));
        PropagationIT.withinHardLimit().until(() -> chatOnB(key).headers().firstValue("x-ratelimit-limit-requests")
                .orElse("").equals("77"));
        assertThat(statusOnB("o" + org).path("plan").asText()).isEqualTo("developer");
        assertThat(audit("account.plan", "o" + org).get(0)).containsEntry("target_type", "organization");
    }

    @Test
    void support_may_not_change_plans_or_limits_and_bad_input_is_refused_with_a_code_naming_it() {
        String key = a.newKey("refused@example.com", "developer");
        String account = "u" + userOf(key);
        String plan = "/admin/api/accounts/" + account + "/plan";
        String limits = "/admin/api/accounts/" + account + "/limits";
        assertProblem(onA("POST", plan, support, "{\"plan\":\"pro\",\"reason\":\"support tries\"}"), 403, "forbidden");
        assertProblem(onA("POST", limits, support, "{\"limits\":{\"rpm\":1},\"reason\":\"support tries\"}"), 403, "forbidden");
        assertProblem(onA("POST", plan, admin, "{\"plan\":\"pro\"}"), 400, "reason_required");
        HttpResponse<String> unknownPlan = onA("POST", plan, admin, "{\"plan\":\"platinum\",\"reason\":\"x\"}");
        assertProblem(unknownPlan, 400, "invalid_plan");
        assertThat(unknownPlan.body()).contains("platinum").contains("free, developer, pro, dedicated");
        assertProblem(onA("POST", plan, admin, "{\"reason\":\"x\"}"), 400, "missing_plan");
        HttpResponse<String> zero = onA("POST", limits, admin, "{\"limits\":{\"rpm\":0},\"reason\":\"x\"}");
        assertProblem(zero, 400, "invalid_limits");
        assertThat(zero.body()).contains("rpm must be a whole number from 1");
        HttpResponse<String> unknown = onA("POST", limits, admin, "{\"limits\":{\"rph\":5},\"reason\":\"x\"}");
        assertProblem(unknown, 400, "invalid_limits");
        assertThat(unknown.body()).contains("Unknown limit 'rph'");
        HttpResponse<String> text = onA("POST", limits, admin, "{\"limits\":{\"tpm\":\"lots\"},\"reason\":\"x\"}");
        assertProblem(text, 400, "invalid_limits");
        assertThat(text.body()).contains("limits.tpm must be a whole number");
        assertProblem(onA("POST", limits, admin, "{\"limits\":{},\"reason\":\"x\"}"), 400, "invalid_limits");
        assertProblem(onA("POST", limits, admin, "{\"limits\":[1],\"reason\":\"x\"}"), 400, "invalid_limits");
        assertProblem(onA("POST", limits, admin, "{\"limits\":{\"short_window_seconds\":90000},\"reason\":\"x\"}"), 400,
                "invalid_limits");
        assertProblem(onA("POST", "/admin/api/accounts/u99999999/plan", admin, "{\"plan\":\"pro\",\"reason\":\"x\"}"), 404,
                "not_found");
        assertThat(audit("account.plan", account)).isEmpty();
        assertThat(audit("account.limits", account)).isEmpty();
        assertThat(statusOnB(account).path("plan").asText()).isEqualTo("developer");
    }

    @Test
    void plans_are_listed_with_their_limits() {
        JsonNode plans = json(onA("GET", "/admin/api/plans", support, null));
        assertThat(plans.path("data").findValuesAsText("code")).containsSubsequence("free", "developer", "pro", "dedicated");
        assertThat(plans.path("data").get(0).path("limits").path("rpm").asLong()).isEqualTo(20);
    }
}
