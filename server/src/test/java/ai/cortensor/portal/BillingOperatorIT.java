package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, the operators' side of money over the admin API: prices (validated, audited, on every replica), grants
 * and adjustments (role-checked, idempotent), balances, ledgers, spend, reconciliation, the request lookup and the
 * why-blocked answer — two real replicas on one PostgreSQL, the simulators, real HTTP.
 */
class BillingOperatorIT {
    static PortalHarness a;
    static Portal b;
    static String admin;
    static String support;

    @BeforeAll
    static void start() {
        a = new PortalHarness();
        b = a.startReplica("b");
        OperatorStore operators = new OperatorStore(a.jdbi(), new SecureRandom());
        admin = operators.issue("money-admin@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        support = operators.issue("money-desk@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    static HttpResponse<String> call(String base, String method, String path, String token, String body,
                                     String... headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return a.send(r.build());
    }

    static HttpResponse<String> post(String path, String token, String body, String... headers) {
        return call(a.baseUrl(), "POST", path, token, body, headers);
    }

    static HttpResponse<String> get(String path, String token) {
        return call(a.baseUrl(), "GET", path, token, null);
    }

    static String bUrl() {
        return "http://127.0.0.1:" + b.port();
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** A JSON problem naming {@code code}, with the request id, never a stack trace. */
    static void assertProblem(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = json(r).path("error");
        assertThat(e.path("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(e.path("request_id").asText()).isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("ai.cortensor");
    }

    static Map<String, Object> awaitUsage(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> a.usageEvents(requestId), l -> !l.isEmpty()).get(0);
    }

    static String account(String email) {
        return "u" + a.count("SELECT id FROM users WHERE email = '" + email + "'");
    }

    static long prices(String model, String column) {
        return a.count("SELECT " + column + " FROM models WHERE alias = '" + model + "'");
    }

    // ---- prices ----

    @Test
    void a_price_changed_through_the_admin_api_on_replica_a_is_charged_by_the_next_requests_on_replica_b() {
        String key = a.newKey("reprice@example.com");
        String body = PortalHarness.chatBody("gemma-4", false);
        HttpResponse<String> before = call(bUrl(), "POST", "/v1/chat/completions", key, body);
        assertThat(before.statusCode()).isEqualTo(200);
        String beforeId = before.headers().firstValue("x-request-id").orElseThrow();
        try {
            HttpResponse<String> changed = post("/admin/api/models/gemma-4/prices", admin,
                    "{\"input_price\": 1000000, \"output_price\": 2000000, \"reasoning_price\": 3000000, "
                            + "\"reason\": \"new gemma-4 price list\"}");
            assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
            JsonNode d = json(changed);
            assertThat(d.path("changed").asBoolean()).isTrue();
            assertThat(d.path("result").path("before").path("input_price").asLong()).isEqualTo(80_000);
            assertThat(d.path("result").path("after").path("reasoning_price").asLong()).isEqualTo(3_000_000);

            // replica b learns it from the change feed (no reload here): its catalog, then its next requests
            await().atMost(PropagationIT.HARD_LIMIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> json(call(bUrl(), "GET", "/v1/models/gemma-4", null, null)).path("pricing")
                            .path("prompt").asText().equals("0.000001"));
            JsonNode pricing = json(call(bUrl(), "GET", "/v1/models/gemma-4", null, null)).path("pricing");
            assertThat(pricing.path("completion").asText()).isEqualTo("0.000002");
            assertThat(pricing.path("internal_reasoning").asText()).isEqualTo("0.000003");
            HttpResponse<String> after = call(bUrl(), "POST", "/v1/chat/completions", key, body);
            assertThat(after.statusCode()).isEqualTo(200);
            Map<String, Object> charged = awaitUsage(after.headers().firstValue("x-request-id").orElseThrow());
            long prompt = ((Number) charged.get("prompt_tokens")).longValue();
            long completion = ((Number) charged.get("completion_tokens")).longValue();
            assertThat(charged.get("prompt_price")).isEqualTo(1_000_000L);
            assertThat(charged.get("completion_price")).isEqualTo(2_000_000L);
            assertThat(charged.get("cost_micros")).isEqualTo((prompt * 1_000_000 + completion * 2_000_000 + 500_000)
                    / 1_000_000);
            assertThat(awaitUsage(beforeId).get("prompt_price")).as("admitted before the change").isEqualTo(80_000L);

            JsonNode audit = json(get("/admin/api/audit?action=model.prices&target_id=gemma-4", support))
                    .path("data").get(0);
            assertThat(audit.path("actor").asText()).isEqualTo("money-admin@ops.test");
            assertThat(audit.path("reason").asText()).isEqualTo("new gemma-4 price list");
            assertThat(audit.path("before").toString())
                    .isEqualTo("{\"input_price\":80000,\"output_price\":300000,\"reasoning_price\":null}");
            assertThat(audit.path("after").toString())
                    .isEqualTo("{\"input_price\":1000000,\"output_price\":2000000,\"reasoning_price\":3000000}");
        } finally {
            post("/admin/api/models/gemma-4/prices", admin, "{\"input_price\": 80000, \"output_price\": 300000, "
                    + "\"reasoning_price\": null, \"reason\": \"back to the list price\"}");
        }
        await().atMost(PropagationIT.HARD_LIMIT).until(() -> !json(call(bUrl(), "GET", "/v1/models/gemma-4", null,
                null)).path("pricing").has("internal_reasoning"));
    }

    @Test
    void a_price_left_out_stays_and_the_models_list_shows_all_three() {
        try {
            HttpResponse<String> r = post("/admin/api/models/oss-20b/prices", admin,
                    "{\"output_price\": 250000, \"reason\": \"output only\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(prices("oss-20b", "prompt_price")).isEqualTo(50_000);
            assertThat(prices("oss-20b", "completion_price")).isEqualTo(250_000);
            JsonNode again = json(post("/admin/api/models/oss-20b/prices", admin,
                    "{\"output_price\": 250000, \"reason\": \"same again\"}"));
            assertThat(again.path("changed").asBoolean()).as("nothing to change, nothing audited").isFalse();
            assertThat(a.count("SELECT count(*) FROM audit_events WHERE action = 'model.prices' AND reason = 'same again'"))
                    .isZero();
            JsonNode listed = null;
            for (JsonNode m : json(get("/admin/api/models", support)).path("data")) {
                if (m.path("alias").asText().equals("oss-20b")) {
                    listed = m;
                }
            }
            assertThat(listed).isNotNull();
            assertThat(listed.path("input_price").asLong()).isEqualTo(50_000);
            assertThat(listed.path("output_price").asLong()).isEqualTo(250_000);
            assertThat(listed.path("reasoning_price").isNull()).isTrue();
        } finally {
            post("/admin/api/models/oss-20b/prices", admin, "{\"output_price\": 200000, \"reason\": \"restore\"}");
        }
    }

    @Test
    void prices_are_whole_micro_usd_from_zero_to_the_max_and_anything_else_is_a_400_naming_the_field() {
        String path = "/admin/api/models/qwen/prices";
        assertProblem(post(path, admin, "{\"input_price\": \"60000\", \"reason\": \"r\"}"), 400, "invalid_input_price");
        assertProblem(post(path, admin, "{\"input_price\": 0.5, \"reason\": \"r\"}"), 400, "invalid_input_price");
        assertProblem(post(path, admin, "{\"input_price\": -1, \"reason\": \"r\"}"), 400, "invalid_input_price");
        assertProblem(post(path, admin, "{\"output_price\": 1000000001, \"reason\": \"r\"}"), 400,
                "invalid_output_price");
        assertProblem(post(path, admin, "{\"reasoning_price\": 99999999999999999999, \"reason\": \"r\"}"), 400,
                "invalid_reasoning_price");
        assertProblem(post(path, admin, "{\"input_price\": null, \"reason\": \"r\"}"), 400, "invalid_input_price");
        assertProblem(post(path, admin, "{\"reasoning\": 5, \"reason\": \"r\"}"), 400, "unknown_field");
        assertProblem(post(path, admin, "{\"reason\": \"r\"}"), 400, "missing_price");
        assertProblem(post(path, admin, "{\"input_price\": 1}"), 400, "reason_required");
        assertProblem(post("/admin/api/models/no-such-model/prices", admin, "{\"input_price\": 1, \"reason\": \"r\"}"),
                404, "not_found");
        assertThat(a.count("SELECT count(*) FROM audit_events WHERE action = 'model.prices' AND target_id = 'qwen' "
                + "AND reason = 'r'")).as("the refusals changed nothing").isZero();
        assertThat(prices("qwen", "prompt_price")).isEqualTo(60_000);
        try {
            HttpResponse<String> edges = post(path, admin, "{\"input_price\": 0, \"output_price\": 1000000000, "
                    + "\"reason\": \"the edges are allowed\"}");
            assertThat(edges.statusCode()).as(edges.body()).isEqualTo(200);
            assertThat(prices("qwen", "prompt_price")).isZero();
            assertThat(prices("qwen", "completion_price")).isEqualTo(1_000_000_000L);
        } finally {
            post(path, admin, "{\"input_price\": 60000, \"output_price\": 240000, \"reason\": \"restore\"}");
        }
        assertThat(prices("qwen", "prompt_price")).isEqualTo(60_000);
    }

    @Test
    void support_reads_money_but_may_not_change_prices_or_credits() {
        a.newKey("support-reads@example.com");
        String acct = account("support-reads@example.com");
        assertProblem(post("/admin/api/models/qwen/prices", support, "{\"input_price\": 1, \"reason\": \"r\"}"), 403,
                "forbidden");
        assertProblem(post("/admin/api/accounts/" + acct + "/credits", support,
                "{\"amount_micros\": 1000000, \"reason\": \"goodwill\"}"), 403, "forbidden");
        assertProblem(post("/admin/api/accounts/" + acct + "/adjustments", support,
                "{\"amount_micros\": -1, \"reason\": \"fix\"}"), 403, "forbidden");
        assertThat(a.count("SELECT count(*) FROM billing_ledger WHERE account = '" + acct + "' AND entry_type <> 'usage'"))
                .isZero();
        for (String path : List.of("/admin/api/billing/balances", "/admin/api/billing/spend",
                "/admin/api/billing/reconcile", "/admin/api/accounts/" + acct + "/balance",
                "/admin/api/accounts/" + acct + "/ledger")) {
            assertThat(get(path, support).statusCode()).as(path).isEqualTo(200);
        }
    }

    // ---- credits ----

    @Test
    void a_grant_retried_with_its_idempotency_key_is_one_ledger_entry_even_when_the_retries_race() throws Exception {
        a.newKey("retried-grant@example.com");
        String acct = account("retried-grant@example.com");
        String path = "/admin/api/accounts/" + acct + "/credits";
        String body = "{\"amount_micros\": 25000000, \"reason\": \"prepaid invoice 2026-12\"}";
        HttpResponse<String> first = post(path, admin, body, "Idempotency-Key", "inv-2026-12");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode entry = json(first).path("result").path("entry");
        assertThat(entry.path("type").asText()).isEqualTo("credit");
        assertThat(entry.path("amount_micros").asLong()).isEqualTo(25_000_000);
        assertThat(json(first).path("result").path("balance").path("available_micros").asLong()).isEqualTo(25_000_000);

        HttpResponse<String> retry = post(path, admin, body, "Idempotency-Key", "inv-2026-12");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(retry).path("result").path("replayed").asBoolean()).isTrue();
        assertThat(json(retry).path("result").path("entry").path("id").asLong()).isEqualTo(entry.path("id").asLong());

        // a client that times out and retries at once: the retries race each other, and still one entry
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(() -> post(path, admin, "{\"amount_micros\": 5000000, \"reason\": \"retried top-up\"}",
                    "Idempotency-Key", "race-1").statusCode());
        }
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : pool.invokeAll(calls)) {
            codes.add(f.get());
        }
        pool.shutdown();
        assertThat(codes).containsOnly(200, 201);
        assertThat(codes.stream().filter(c -> c == 201).count()).isEqualTo(1);

        assertProblem(post(path, admin, "{\"amount_micros\": 99000000, \"reason\": \"another amount\"}",
                "Idempotency-Key", "inv-2026-12"), 409, "idempotency_key_reused");
        assertThat(a.count("SELECT count(*) FROM billing_ledger WHERE account = '" + acct + "'")).isEqualTo(2);
        assertThat(a.count("SELECT count(*) FROM audit_events WHERE action = 'billing.credit' AND target_id = '"
                + acct + "'")).isEqualTo(2);
        assertThat(a.portal.billing().balance(acct).balanceMicros()).isEqualTo(30_000_000);
        assertThat(a.count("SELECT count(*) FROM billing_ledger WHERE idempotency_key = 'operator:inv-2026-12'"))
                .isEqualTo(1);
    }

    @Test
    void grants_are_positive_adjustments_take_either_sign_and_both_are_audited_with_the_balance_before_and_after() {
        a.newKey("adjusted@example.com");
        String acct = account("adjusted@example.com");
        String credits = "/admin/api/accounts/" + acct + "/credits";
        String adjustments = "/admin/api/accounts/" + acct + "/adjustments";
        assertProblem(post(credits, admin, "{\"amount_micros\": -5, \"reason\": \"r\"}"), 400, "invalid_amount_micros");
        assertProblem(post(credits, admin, "{\"amount_micros\": \"5\", \"reason\": \"r\"}"), 400,
                "invalid_amount_micros");
        assertProblem(post(credits, admin, "{\"amount_micros\": 2.5, \"reason\": \"r\"}"), 400,
                "invalid_amount_micros");
        assertProblem(post(credits, admin, "{\"amount_micros\": 10000000000001, \"reason\": \"r\"}"), 400,
                "invalid_amount_micros");
        assertProblem(post(credits, admin, "{\"amount\": 5, \"reason\": \"r\"}"), 400, "unknown_field");
        assertProblem(post(credits, admin, "{\"reason\": \"r\"}"), 400, "missing_amount_micros");
        assertProblem(post(credits, admin, "{\"amount_micros\": 5}"), 400, "reason_required");
        assertProblem(post(adjustments, admin, "{\"amount_micros\": 0, \"reason\": \"r\"}"), 400,
                "invalid_amount_micros");
        assertProblem(post(credits, admin, "{\"amount_micros\": 5, \"reason\": \"r\"}", "Idempotency-Key",
                "has space"), 400, "invalid_idempotency_key");
        assertProblem(post("/admin/api/accounts/u987654/credits", admin, "{\"amount_micros\": 5, \"reason\": \"r\"}"),
                404, "not_found");
        assertThat(a.count("SELECT count(*) FROM billing_ledger WHERE account = '" + acct + "'")).isZero();

        assertThat(post(credits, admin, "{\"amount_micros\": 10000000, \"reason\": \"welcome credits\"}")
                .statusCode()).isEqualTo(201);
        HttpResponse<String> down = post(adjustments, admin,
                "{\"amount_micros\": -3250000, \"reason\": \"refund of a duplicate grant\"}");
        assertThat(down.statusCode()).as(down.body()).isEqualTo(201);
        assertThat(json(down).path("result").path("balance").path("balance_micros").asLong()).isEqualTo(6_750_000);

        JsonNode ledger = json(get("/admin/api/accounts/" + acct + "/ledger?limit=1", support));
        assertThat(ledger.path("data").get(0).path("type").asText()).isEqualTo("adjustment");
        assertThat(ledger.path("data").get(0).path("amount_micros").asLong()).isEqualTo(-3_250_000);
        assertThat(ledger.path("data").get(0).path("actor").asText()).isEqualTo("money-admin@ops.test");
        JsonNode older = json(get("/admin/api/accounts/" + acct + "/ledger?limit=1&cursor="
                + ledger.path("next_cursor").asText(), support));
        assertThat(older.path("data").get(0).path("type").asText()).isEqualTo("credit");
        assertThat(older.path("next_cursor").isNull()).isTrue();

        JsonNode audit = json(get("/admin/api/audit?action=billing.adjustment&target_id=" + acct, support))
                .path("data").get(0);
        assertThat(audit.path("reason").asText()).isEqualTo("refund of a duplicate grant");
        assertThat(audit.path("before").path("balance_micros").asLong()).isEqualTo(10_000_000);
        assertThat(audit.path("after").path("balance_micros").asLong()).isEqualTo(6_750_000);
        assertThat(audit.path("after").path("amount_micros").asLong()).isEqualTo(-3_250_000);
        JsonNode balance = json(get("/admin/api/accounts/" + acct + "/balance", support));
        assertThat(balance.path("available_micros").asLong()).isEqualTo(6_750_000);
        assertThat(balance.path("reserved_micros").asLong()).isZero();
        assertThat(balance.path("low_balance_micros").isNull()).as("no alert threshold was set").isTrue();
    }

    @Test
    void balances_list_least_available_first_in_pages_with_each_accounts_name() {
        for (int i = 1; i <= 3; i++) {
            a.newKey("ranked-" + i + "@example.com");
            assertThat(post("/admin/api/accounts/" + account("ranked-" + i + "@example.com") + "/credits", admin,
                    "{\"amount_micros\": " + (900_000_000L + i) + ", \"reason\": \"ranking\"}").statusCode())
                    .isEqualTo(201);
        }
        JsonNode most = json(get("/admin/api/billing/balances?sort=-available&limit=2", support));
        assertThat(most.path("data").get(0).path("name").asText()).isEqualTo("ranked-3@example.com");
        assertThat(most.path("data").get(1).path("name").asText()).isEqualTo("ranked-2@example.com");
        JsonNode next = json(get("/admin/api/billing/balances?sort=-available&limit=2&cursor="
                + most.path("next_cursor").asText(), support));
        assertThat(next.path("data").get(0).path("name").asText()).isEqualTo("ranked-1@example.com");

        List<Long> available = new ArrayList<>();
        String cursor = null;
        do { // the whole list, least available first, page by page
            JsonNode page = json(get("/admin/api/billing/balances?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    support));
            page.path("data").forEach(r -> available.add(r.path("available_micros").asLong()));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
        } while (cursor != null);
        assertThat(available).isSorted().hasSize((int) a.count("SELECT count(*) FROM billing_balances"));
        assertProblem(get("/admin/api/billing/balances?sort=richest", support), 400, "invalid_sort");
    }

    // ---- views ----

    @Test
    void spend_per_model_and_day_is_what_the_ledger_charged() {
        String key = a.newKey("spender@example.com");
        String acct = account("spender@example.com");
        List<String> ids = new ArrayList<>();
        for (String model : List.of("qwen", "qwen", "oss-20b")) {
            HttpResponse<String> r = a.post("/v1/chat/completions", key, PortalHarness.chatBody(model, false));
            assertThat(r.statusCode()).isEqualTo(200);
            ids.add(r.headers().firstValue("x-request-id").orElseThrow());
        }
        ids.forEach(BillingOperatorIT::awaitUsage);
        long charged = -a.count("SELECT coalesce(sum(amount_micros), 0) FROM billing_ledger WHERE account = '" + acct
                + "' AND entry_type = 'usage'");
        assertThat(charged).isPositive();

        JsonNode s = json(get("/admin/api/billing/spend?account=" + acct, support));
        assertThat(s.path("cost_micros").asLong()).isEqualTo(charged);
        assertThat(s.path("requests").asLong()).isEqualTo(3);
        assertThat(s.path("by_day")).hasSize(30);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        JsonNode last = s.path("by_day").get(29);
        assertThat(last.path("day").asText()).isEqualTo(today);
        assertThat(last.path("cost_micros").asLong()).isEqualTo(charged);
        assertThat(last.path("cost_by_model").path("qwen").asLong() + last.path("cost_by_model").path("oss-20b")
                .asLong()).isEqualTo(charged);
        assertThat(s.path("by_model")).hasSize(2);
        assertThat(s.path("data").get(0).path("day").asText()).isEqualTo(today);
        long qwenRequests = 0;
        for (JsonNode m : s.path("by_model")) {
            if (m.path("model").asText().equals("qwen")) {
                qwenRequests = m.path("requests").asLong();
            }
        }
        assertThat(qwenRequests).isEqualTo(2);
        JsonNode all = json(get("/admin/api/billing/spend?from=" + today + "&to=" + today, support));
        assertThat(all.path("cost_micros").asLong()).isEqualTo(a.count(
                "SELECT coalesce(sum(cost_micros), 0) FROM usage_events"));

        assertProblem(get("/admin/api/billing/spend?from=2026-12-09&to=2026-12-01", support), 400, "invalid_from");
        assertProblem(get("/admin/api/billing/spend?from=2024-01-01&to=2026-01-01", support), 400, "invalid_to");
        assertProblem(get("/admin/api/billing/spend?from=yesterday", support), 400, "invalid_from");
    }

    @Test
    void reconcile_finds_no_drift_after_traffic_and_reports_each_drift_injected_with_sql() {
        String key = a.newKey("reconciled@example.com");
        String acct = account("reconciled@example.com");
        post("/admin/api/accounts/" + acct + "/credits", admin, "{\"amount_micros\": 1000000, \"reason\": \"r\"}");
        for (int i = 0; i < 3; i++) {
            awaitUsage(a.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).headers()
                    .firstValue("x-request-id").orElseThrow());
        }
        JsonNode clean = json(get("/admin/api/billing/reconcile", support));
        assertThat(clean.path("ok").asBoolean()).as(clean.toString()).isTrue();
        assertThat(clean.path("drifts")).isEmpty();

        a.jdbi().useHandle(h -> h.execute("UPDATE billing_balances SET balance_micros = balance_micros + 7, "
                + "reserved_micros = reserved_micros + 5 WHERE account = ?", acct));
        try {
            JsonNode drift = json(get("/admin/api/billing/reconcile", support));
            assertThat(drift.path("ok").asBoolean()).isFalse();
            assertThat(drift.path("drifts")).hasSize(2);
            JsonNode balance = drift.path("drifts").get(0);
            assertThat(balance.path("kind").asText()).isEqualTo("balance");
            assertThat(balance.path("id").asText()).isEqualTo(acct);
            assertThat(balance.path("difference_micros").asLong()).isEqualTo(7);
            assertThat(balance.path("recorded_micros").asLong() - balance.path("computed_micros").asLong())
                    .isEqualTo(7);
            JsonNode reserved = drift.path("drifts").get(1);
            assertThat(reserved.path("kind").asText()).isEqualTo("reserved");
            assertThat(reserved.path("difference_micros").asLong()).isEqualTo(5);
        } finally {
            a.jdbi().useHandle(h -> h.execute("UPDATE billing_balances SET balance_micros = balance_micros - 7, "
                    + "reserved_micros = reserved_micros - 5 WHERE account = ?", acct));
        }
        assertThat(json(get("/admin/api/billing/reconcile", support)).path("ok").asBoolean()).isTrue();
    }

    @Test
    void a_request_lookup_says_what_it_cost_at_which_prices_and_which_ledger_entry_charged_it() {
        String key = a.newKey("charged-how@example.com");
        String id = a.post("/v1/chat/completions", key, PortalHarness.chatBody("oss-20b", false)).headers()
                .firstValue("x-request-id").orElseThrow();
        Map<String, Object> usage = awaitUsage(id);
        JsonNode life = json(get("/admin/api/requests/" + id, support));
        JsonNode event = life.path("usage_event");
        assertThat(event.path("cost_micros").asLong()).isEqualTo(((Number) usage.get("cost_micros")).longValue());
        assertThat(event.path("prompt_price").asLong()).isEqualTo(50_000);
        assertThat(event.path("completion_price").asLong()).isEqualTo(200_000);
        assertThat(life.path("charge").path("amount_micros").asLong()).isEqualTo(-event.path("cost_micros").asLong());
        assertThat(life.path("charge").path("account").asText()).isEqualTo(account("charged-how@example.com"));
        JsonNode charged = null;
        for (JsonNode stage : life.path("stages")) {
            if (stage.path("stage").asText().equals("charged")) {
                charged = stage;
            }
        }
        assertThat(charged).isNotNull();
        assertThat(charged.path("detail").asText()).contains("at $0.05").contains("at $0.20 per million")
                .contains("ledger entry " + life.path("charge").path("id").asLong());
    }

    @Test
    void why_blocked_for_operators_says_out_of_credits_until_a_grant_and_names_a_reached_budget() {
        a.newKey("empty-wallet@example.com", "prepaid");
        String acct = account("empty-wallet@example.com");
        JsonNode status = json(get("/admin/api/accounts/" + acct + "/status", support));
        assertThat(status.path("blocked").asBoolean()).isTrue();
        assertThat(status.path("reasons").get(0).path("code").asText()).isEqualTo("insufficient_credits");
        assertThat(status.path("reasons").get(0).path("scope").asText()).isEqualTo("billing");

        post("/admin/api/accounts/" + acct + "/credits", admin, "{\"amount_micros\": 2000000, \"reason\": \"trial\"}");
        assertThat(json(get("/admin/api/accounts/" + acct + "/status", support)).path("blocked").asBoolean())
                .as("credits unblock it").isFalse();

        a.portal.billing().setBudget(ai.cortensor.portal.billing.Budget.Scope.ACCOUNT, acct,
                ai.cortensor.portal.billing.Budget.Period.MONTH, 1_000L, Actor.system("test"));
        a.jdbi().useHandle(h -> h.execute("UPDATE billing_spend SET spent_micros = 1000 WHERE counter = ?",
                "account:" + acct + ":month"));
        JsonNode budget = json(get("/admin/api/accounts/" + acct + "/status", support));
        assertThat(budget.path("reasons").get(0).path("code").asText()).isEqualTo("budget_exceeded");
        assertThat(budget.path("reasons").get(0).path("message").asText()).contains("is reached");
    }
}
