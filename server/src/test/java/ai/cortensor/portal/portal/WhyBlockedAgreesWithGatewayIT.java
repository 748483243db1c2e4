package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * For every reason the gateway refuses a request — a paused user or organization, a revoked or expired key, an
 * exhausted plan allowance, a model outside the plan, a disabled or paused model, a paused or draining pool — the real
 * gateway refuses a real request, and the customer's status ({@code /portal/api/status}, the overview) and the
 * operators' why-blocked ({@code /admin/api/…/status}) name the same reason first, with the same scope.
 * The {@code spare} pool serves {@code oss-20b} alone, so pausing it blocks that model only.
 */
class WhyBlockedAgreesWithGatewayIT {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static PortalTestSupport.Running portal;
    static String operator;

    @BeforeAll
    static void start() {
        portal = PortalTestSupport.start(Map.of(
                "pool.spare.targets", "cortensor-v3 ${B} session=11 key=main name=s",
                "pool.spare.models", "oss-20b"));
        operator = new OperatorStore(portal.jdbi(), new SecureRandom())
                .issue("root@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        portal.jdbi().useHandle(h -> {
            h.execute("INSERT INTO plans (code, name, limits) VALUES ('one-a-week', 'One a week', "
                    + "'{\"weekly_requests\": 1, \"rpm\": 100}'::jsonb)");
            h.execute("INSERT INTO plans (code, name, limits) VALUES ('qwen-only', 'Qwen only', '{\"rpm\": 100}'::jsonb)");
            h.execute("INSERT INTO model_access_policies (plan_id, model_alias) "
                    + "SELECT id, 'qwen' FROM plans WHERE code = 'qwen-only'");
        });
    }

    @AfterAll
    static void stop() {
        portal.close();
    }

    @AfterEach
    void restore() {
        for (String model : new String[] {"gemma-4", "oss-120b"}) {
            admin("POST", "/admin/api/models/" + model + "/enable", "{\"reason\":\"test cleanup\"}");
        }
        admin("POST", "/admin/api/pools/spare/resume", "{\"reason\":\"test cleanup\"}");
    }

    /** A customer signed up through the portal, with a key made in the portal; acting for its personal account. */
    record Customer(PortalHttp web, long userId, String key, long keyId, String prefix) {}

    static Customer customer(String email) {
        PortalHttp web = new PortalHttp(portal.baseUrl()).signUp(email, PortalTestSupport.PASSWORD);
        long user = portal.count("SELECT id FROM users WHERE email = '" + email + "'");
        JsonNode created = web.createKey("agreement");
        return new Customer(web, user, created.get("key").asText(), created.at("/metadata/id").asLong(),
                created.at("/metadata/prefix").asText());
    }

    // ---- the reasons --------------------------------------------------------------------------------------

    @Test
    void a_paused_user_is_refused_and_the_customer_and_the_operator_say_account_paused() {
        Customer c = customer("paused-user@example.com");
        assertThat(chat(c.key(), "qwen").statusCode()).isEqualTo(200);
        pause("u" + c.userId(), "chargeback under review");

        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "qwen"));
        agree(refused, 403, "account_paused", "user", status(c.web(), ""), operator("/admin/api/accounts/u" + c.userId()
                + "/status"), operator("/admin/api/keys/" + c.prefix() + "/status"));
        JsonNode paused = status(c.web(), "").path("reasons").get(0);
        assertThat(paused.path("reason").asText()).isEqualTo("chargeback under review");
        assertThat(paused.path("since").asText()).isNotBlank();
        assertThat(c.web().get("/portal").body()).contains("account_paused");
    }

    @Test
    void a_paused_organization_is_refused_and_its_members_status_and_overview_say_so() {
        Customer owner = customer("org-owner@example.com");
        assertThat(owner.web().post("/portal/team/organizations", Map.of("name", "Paused Corp")).statusCode())
                .isEqualTo(303);
        long org = portal.count("SELECT id FROM organizations WHERE name = 'Paused Corp'");
        JsonNode created = owner.web().createKey("org-key"); // the session acts for the organization now
        String orgKey = created.get("key").asText();
        assertThat(chat(orgKey, "qwen").statusCode()).isEqualTo(200);
        pause("o" + org, "invoice overdue");

        HttpResponse<String> refused = awaitRefused(() -> chat(orgKey, "qwen"));
        agree(refused, 403, "account_paused", "organization", status(owner.web(), ""),
                operator("/admin/api/accounts/o" + org + "/status"),
                operator("/admin/api/keys/" + created.at("/metadata/prefix").asText() + "/status"));
        String overview = owner.web().get("/portal").body();
        assertThat(overview).contains("id=\"blocked-reasons\"").contains("account_paused").contains("invoice overdue");
        assertThat(chat(owner.key(), "qwen").statusCode()).as("the owner's personal account is not paused")
                .isEqualTo(200);
    }

    @Test
    void a_revoked_key_is_refused_and_the_key_status_says_revoked_api_key() {
        Customer c = customer("revoked@example.com");
        assertThat(c.web().api("DELETE", "/portal/api/keys/" + c.keyId(), null, c.web().csrf()).statusCode())
                .isEqualTo(200);
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "qwen"));
        agree(refused, 401, "revoked_api_key", "key", status(c.web(), "?key=" + c.keyId()),
                operator("/admin/api/keys/" + c.prefix() + "/status"));
        assertThat(status(c.web(), "").path("blocked").asBoolean()).as("the account itself is not blocked").isFalse();
    }

    @Test
    void an_expired_key_is_refused_and_the_key_status_says_expired_api_key() {
        Customer c = customer("expired@example.com");
        portal.jdbi().useHandle(h -> h.execute("UPDATE api_keys SET expires_at = now() - interval '1 minute' "
                + "WHERE id = " + c.keyId()));
        portal.portal().keys().forget(c.prefix().substring(5)); // as the change feed would after an edit
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "qwen"));
        agree(refused, 401, "expired_api_key", "key", status(c.web(), "?key=" + c.keyId()),
                operator("/admin/api/keys/" + c.prefix() + "/status"));
    }

    @Test
    void an_exhausted_plan_allowance_is_refused_and_everyone_says_insufficient_quota() {
        Customer c = customer("quota@example.com");
        plan(c, "one-a-week");
        assertThat(chat(c.key(), "qwen").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "qwen"));
        agree(refused, 429, "insufficient_quota", "plan", status(c.web(), ""),
                operator("/admin/api/accounts/u" + c.userId() + "/status"),
                operator("/admin/api/keys/" + c.prefix() + "/status"));
        assertThat(status(c.web(), "").path("reasons").get(0).path("resets_in_seconds").asLong()).isPositive();
    }

    @Test
    void a_model_outside_the_plan_is_refused_and_everyone_says_model_not_entitled() {
        Customer c = customer("entitled@example.com");
        plan(c, "qwen-only");
        assertThat(chat(c.key(), "qwen").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "gemma-4"));
        agree(refused, 403, "model_not_entitled", "plan", status(c.web(), "?model=gemma-4"),
                operator("/admin/api/accounts/u" + c.userId() + "/status?model=gemma-4"),
                operator("/admin/api/keys/" + c.prefix() + "/status?model=gemma-4"));
        assertThat(status(c.web(), "?model=qwen").path("blocked").asBoolean()).isFalse();
    }

    @Test
    void a_disabled_model_is_refused_and_everyone_says_model_disabled() {
        Customer c = customer("disabled@example.com");
        admin("POST", "/admin/api/models/oss-120b/disable", "{\"reason\":\"retired\"}");
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "oss-120b"));
        agree(refused, 404, "model_disabled", "model", status(c.web(), "?model=oss-120b"),
                operator("/admin/api/accounts/u" + c.userId() + "/status?model=oss-120b"),
                operator("/admin/api/keys/" + c.prefix() + "/status?model=oss-120b"));
    }

    @Test
    void a_paused_model_is_refused_for_now_and_everyone_says_model_unavailable() {
        Customer c = customer("paused-model@example.com");
        admin("POST", "/admin/api/models/gemma-4/pause", "{\"reason\":\"bad outputs, investigating\"}");
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "gemma-4"));
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        agree(refused, 503, "model_unavailable", "model", status(c.web(), "?model=gemma-4"),
                operator("/admin/api/accounts/u" + c.userId() + "/status?model=gemma-4"),
                operator("/admin/api/keys/" + c.prefix() + "/status?model=gemma-4"));
    }

    @Test
    void a_paused_pool_refuses_its_model_and_everyone_says_model_unavailable_naming_the_pool() {
        Customer c = customer("paused-pool@example.com");
        admin("POST", "/admin/api/pools/spare/pause", "{\"reason\":\"router upgrade\"}");
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "oss-20b"));
        agree(refused, 503, "model_unavailable", "pool", status(c.web(), "?model=oss-20b"),
                operator("/admin/api/accounts/u" + c.userId() + "/status?model=oss-20b"),
                operator("/admin/api/keys/" + c.prefix() + "/status?model=oss-20b"));
        assertThat(status(c.web(), "?model=oss-20b").path("reasons").get(0).path("message").asText())
                .contains("pool spare is paused");
        assertThat(chat(c.key(), "qwen").statusCode()).as("other pools serve on").isEqualTo(200);
    }

    @Test
    void a_draining_pool_refuses_new_requests_and_everyone_says_model_unavailable() {
        Customer c = customer("drained-pool@example.com");
        admin("POST", "/admin/api/pools/spare/drain", "{\"reason\":\"moving racks\"}");
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "oss-20b"));
        agree(refused, 503, "model_unavailable", "pool", status(c.web(), "?model=oss-20b"),
                operator("/admin/api/keys/" + c.prefix() + "/status?model=oss-20b"));
        assertThat(operator("/admin/api/keys/" + c.prefix() + "/status?model=oss-20b").path("reasons").get(0)
                .path("message").asText()).contains("pool spare is draining");
    }

    @Test
    void a_prepaid_account_without_credits_is_refused_and_everyone_says_insufficient_credits() {
        Customer c = customer("broke@example.com");
        plan(c, "prepaid"); // pay as you go: nothing is admitted without credits
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "qwen"));
        agree(refused, 402, "insufficient_credits", "billing", status(c.web(), ""),
                operator("/admin/api/accounts/u" + c.userId() + "/status"),
                operator("/admin/api/keys/" + c.prefix() + "/status"));

        portal.portal().billing().grant("u" + c.userId(), 5_000_000L, "test credits", Actor.system("test"), null);
        assertThat(chat(c.key(), "qwen").statusCode()).as("credits admit it again").isEqualTo(200);
        assertThat(status(c.web(), "").path("blocked").asBoolean()).isFalse();
    }

    @Test
    void a_key_budget_used_up_is_refused_and_the_key_status_says_budget_exceeded() {
        Customer c = customer("budgeted@example.com");
        portal.portal().billing().setBudget(ai.cortensor.portal.billing.Budget.Scope.KEY, Long.toString(c.keyId()),
                ai.cortensor.portal.billing.Budget.Period.DAY, 1L, Actor.system("test"));
        HttpResponse<String> refused = awaitRefused(() -> chat(c.key(), "qwen"));
        assertThat(PortalHttp.json(refused).at("/error/code").asText()).isEqualTo("budget_exceeded");
        // a request is refused while its worst case does not fit; why-blocked says so once nothing is left at all
        portal.jdbi().useHandle(h -> h.execute("INSERT INTO billing_spend (counter, period_start, spent_micros, "
                + "reserved_micros) VALUES ('key:" + c.keyId() + ":day', date_trunc('day', now() AT TIME ZONE 'UTC') "
                + "AT TIME ZONE 'UTC', 1, 0) ON CONFLICT (counter, period_start) DO UPDATE SET spent_micros = 1"));
        agree(chat(c.key(), "qwen"), 402, "budget_exceeded", "key", status(c.web(), "?key=" + c.keyId()),
                operator("/admin/api/keys/" + c.prefix() + "/status"));
        assertThat(status(c.web(), "").path("blocked").asBoolean()).as("the account's other keys are fine").isFalse();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /**
     * The gateway refused with {@code status} and {@code code}, and every why-blocked answer names that code first,
     * with {@code scope}.
     */
    static void agree(HttpResponse<String> gateway, int status, String code, String scope, JsonNode... answers) {
        assertThat(gateway.statusCode()).as(gateway.body()).isEqualTo(status);
        assertThat(PortalHttp.json(gateway).at("/error/code").asText()).isEqualTo(code);
        for (JsonNode a : answers) {
            assertThat(a.path("blocked").asBoolean()).as("blocked in %s", a).isTrue();
            assertThat(a.path("reasons").get(0).path("code").asText()).as("first reason in %s", a).isEqualTo(code);
            assertThat(a.path("reasons").get(0).path("scope").asText()).as("scope in %s", a).isEqualTo(scope);
        }
    }

    /** The gateway's answer once it refuses (changes reach the request path through the change feed). */
    static HttpResponse<String> awaitRefused(Supplier<HttpResponse<String>> request) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> request.get().statusCode() != 200);
        return request.get();
    }

    static JsonNode status(PortalHttp web, String query) {
        HttpResponse<String> r = web.api("GET", "/portal/api/status" + query, null, null);
        assertThat(r.statusCode()).as("portal status: %s", r.body()).isEqualTo(200);
        return PortalHttp.json(r);
    }

    static JsonNode operator(String path) {
        HttpResponse<String> r = admin("GET", path, null);
        assertThat(r.statusCode()).as("operator %s: %s", path, r.body()).isEqualTo(200);
        return PortalHttp.json(r);
    }

    static void pause(String account, String reason) {
        HttpResponse<String> r = admin("POST", "/admin/api/accounts/" + account + "/pause",
                "{\"reason\":\"" + reason + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static void plan(Customer c, String code) {
        portal.portal().admission().changePlan(
                new ai.cortensor.portal.plans.AdmissionControl.AccountRef(c.userId(), null), code);
    }

    static HttpResponse<String> admin(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)));
    }

    static HttpResponse<String> chat(String key, String model) {
        return send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}")));
    }

    static HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
