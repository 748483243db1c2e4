package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.plans.AdmissionControl;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a customer sees and sets of their money, over real HTTP against the real server, PostgreSQL and the router
 * simulators: the overview's month spend and credits, the usage export (its costs equal the ledger), spend per day,
 * budgets through the portal API and the page's forms (owners only, audited, bad amounts refused naming the field),
 * the low-credit alert, and the x-budget-* headers on /v1 responses.
 */
class CustomerSpendIT {
    static MailCatcher mail;
    static PortalTestSupport.Running portal;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        mail = new MailCatcher();
        portal = PortalTestSupport.start(mail.config());
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(portal, mail);
    }

    static HttpResponse<String> chat(String key, String model) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":"
                            + "\"user\",\"content\":\"What does a budget do?\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code n} requests per model with {@code key}; returns their ids once their usage is written. */
    static List<String> spend(String key, int n, String... models) {
        List<String> ids = new ArrayList<>();
        for (String model : models) {
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = chat(key, model);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                ids.add(r.headers().firstValue("x-request-id").orElseThrow());
            }
        }
        String in = "'" + String.join("','", ids) + "'";
        await().atMost(Duration.ofSeconds(10)).until(() ->
                portal.count("SELECT count(*) FROM billing_ledger WHERE request_id IN (" + in + ")") == ids.size());
        return ids;
    }

    static long userId(String email) {
        return portal.count("SELECT id FROM users WHERE email = '" + email + "'");
    }

    static long ledgerUsage(String account) {
        return -portal.count("SELECT coalesce(sum(amount_micros), 0) FROM billing_ledger WHERE account = '" + account
                + "' AND entry_type = 'usage'");
    }

    static String today() {
        return LocalDate.now(ZoneOffset.UTC).toString();
    }

    @Test
    void the_export_has_one_row_per_request_and_its_costs_equal_the_ledger_in_csv_and_json() {
        PortalHttp customer = new PortalHttp(portal.baseUrl()).signUp("export@example.com", PortalTestSupport.PASSWORD);
        String key = customer.createKey("exporter").get("key").asText();
        String prefix = customer.createKey("other").at("/metadata/prefix").asText(); // a second key, unused
        List<String> ids = spend(key, 3, "qwen", "oss-20b");
        String account = "u" + userId("export@example.com");

        HttpResponse<String> csv = customer.get("/portal/api/usage/export?format=csv&from=" + today() + "&to=" + today());
        assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-type").orElseThrow()).startsWith("text/csv");
        assertThat(csv.headers().firstValue("content-disposition").orElseThrow())
                .contains("usage-" + today() + "-to-" + today() + ".csv");
        String[] lines = csv.body().split("\n");
        assertThat(lines[0]).isEqualTo(UsageExport.CSV_HEADER.strip());
        assertThat(lines).hasSize(1 + ids.size());
        long csvTotal = 0;
        Map<String, Long> costs = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",");
            assertThat(f).hasSize(9);
            assertThat(f[2]).startsWith("ctsr_").isNotEqualTo(prefix);
            assertThat(new java.math.BigDecimal(f[7]).movePointRight(6).longValueExact())
                    .as("cost_usd is cost_micros in USD").isEqualTo(Long.parseLong(f[6]));
            assertThat(f[8]).isEqualTo("completed");
            costs.put(f[1], Long.parseLong(f[6]));
            csvTotal += Long.parseLong(f[6]);
        }
        assertThat(costs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        for (String id : ids) {
            assertThat(costs.get(id)).as("the export's cost of %s is its ledger entry", id)
                    .isEqualTo(-portal.count("SELECT amount_micros FROM billing_ledger WHERE request_id = '" + id + "'"));
        }
        assertThat(csvTotal).isPositive().isEqualTo(ledgerUsage(account));

        HttpResponse<String> json = customer.get("/portal/api/usage/export?format=json&from=" + today() + "&to="
                + today() + "&model=qwen");
        assertThat(json.statusCode()).isEqualTo(200);
        JsonNode body = PortalHttp.json(json);
        assertThat(body.get("data")).hasSize(3);
        long qwen = 0;
        for (JsonNode row : body.get("data")) {
            assertThat(row.get("model").asText()).isEqualTo("qwen");
            assertThat(row.get("cost_micros").asLong()).isEqualTo(costs.get(row.get("request_id").asText()));
            qwen += row.get("cost_micros").asLong();
        }
        assertThat(body.get("total_cost_micros").asLong()).isEqualTo(qwen);
        assertThat(body.get("requests").asInt()).isEqualTo(3);

        HttpResponse<String> yesterday = customer.get("/portal/api/usage/export?format=json&from=2020-01-01&to=2020-01-31");
        assertThat(PortalHttp.json(yesterday).get("data")).isEmpty();

        PortalHttp stranger = new PortalHttp(portal.baseUrl()).signUp("export-stranger@example.com",
                PortalTestSupport.PASSWORD);
        JsonNode theirs = PortalHttp.json(stranger.get("/portal/api/usage/export?format=json"));
        assertThat(theirs.get("data")).as("another account's export never shows these requests").isEmpty();
    }

    @Test
    void the_export_refuses_bad_dates_a_reversed_range_unknown_parameters_another_accounts_key_and_no_session() {
        PortalHttp customer = new PortalHttp(portal.baseUrl()).signUp("export-bad@example.com",
                PortalTestSupport.PASSWORD);
        PortalHttp other = new PortalHttp(portal.baseUrl()).signUp("export-other@example.com",
                PortalTestSupport.PASSWORD);
        long theirKey = other.createKey("theirs").at("/metadata/id").asLong();
        assertRefused(customer.get("/portal/api/usage/export?from=yesterday"), 400, "from:");
        assertRefused(customer.get("/portal/api/usage/export?from=2026-02-30"), 400, "from:");
        assertRefused(customer.get("/portal/api/usage/export?from=2026-03-02&to=2026-03-01"), 400, "to:");
        assertRefused(customer.get("/portal/api/usage/export?format=xml"), 400, "format:");
        assertRefused(customer.get("/portal/api/usage/export?since=2026-01-01"), 400, "since:");
        assertRefused(customer.get("/portal/api/usage/export?key=" + theirKey), 404, "key:");
        HttpResponse<String> anonymous = new PortalHttp(portal.baseUrl()).get("/portal/api/usage/export");
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    static void assertRefused(HttpResponse<String> r, int status, String names) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(PortalHttp.json(r).at("/error/message").asText()).startsWith(names);
    }

    @Test
    void the_overview_shows_this_months_spend_always_and_credits_only_when_prepaid_or_funded() {
        PortalHttp customer = new PortalHttp(portal.baseUrl()).signUp("overview-money@example.com",
                PortalTestSupport.PASSWORD);
        String page = customer.get("/portal").body();
        assertThat(page).contains("id=\"spend-usage\">$0.00</dd>").doesNotContain("id=\"credits-available\"");

        String key = customer.createKey("overview").get("key").asText();
        spend(key, 2, "oss-120b");
        long user = userId("overview-money@example.com");
        String spent = ai.cortensor.portal.billing.Money.usd(ledgerUsage("u" + user));
        assertThat(customer.get("/portal").body()).contains("id=\"spend-usage\">" + spent + "</dd>")
                .contains("id=\"spend-requests\">2</dd>")
                .as("not prepaid and never funded: no credits, although the ledger has usage entries")
                .doesNotContain("id=\"credits-available\"");

        portal.portal().admission().changePlan(new AdmissionControl.AccountRef(user, null), "prepaid");
        assertThat(customer.get("/portal").body()).as("prepaid: the balance is the ledger's, here only what was spent")
                .contains("id=\"credits-available\"><span>"
                        + ai.cortensor.portal.billing.Money.usd(-ledgerUsage("u" + user)) + "</span>");
        portal.portal().admission().changePlan(new AdmissionControl.AccountRef(user, null), "dedicated");
        portal.portal().billing().grant("u" + user, 25_000_000, "welcome credit",
                new Actor("ops@example.com", "admin", null, null), null);
        String funded = customer.get("/portal").body();
        long available = 25_000_000 - ledgerUsage("u" + user);
        assertThat(funded).as("funded once: the credits show whatever the plan")
                .contains("id=\"credits-available\"><span>" + ai.cortensor.portal.billing.Money.usd(available)
                        + "</span>").contains("id=\"credits-held\">$0.00</span>");
        assertThat(PortalHttp.json(customer.get("/portal/api/credits")).get("available_micros").asLong())
                .isEqualTo(available);
    }

    @Test
    void an_owner_sets_changes_and_removes_budgets_through_the_api_each_change_audited() {
        PortalHttp owner = new PortalHttp(portal.baseUrl()).signUp("budget-api@example.com",
                PortalTestSupport.PASSWORD);
        JsonNode key = owner.createKey("capped");
        long keyId = key.at("/metadata/id").asLong();
        HttpResponse<String> set = owner.api("PUT", "/portal/api/budgets/account/month", "{\"cap_usd\": \"50\"}",
                owner.csrf());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        JsonNode month = PortalHttp.json(set);
        assertThat(month.get("scope").asText()).isEqualTo("account");
        assertThat(month.get("cap_micros").asLong()).isEqualTo(50_000_000);
        assertThat(month.get("cap_usd").asText()).isEqualTo("50.00");
        assertThat(month.get("remaining_micros").asLong()).isEqualTo(50_000_000);
        assertThat(Instant.parse(month.get("resets_at").asText())).isEqualTo(LocalDate.now(ZoneOffset.UTC)
                .withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant());

        HttpResponse<String> perKey = owner.api("PUT", "/portal/api/budgets/keys/" + keyId + "/day",
                "{\"cap_usd\": 0.25}", owner.csrf());
        assertThat(perKey.statusCode()).as(perKey.body()).isEqualTo(200);
        assertThat(PortalHttp.json(perKey).get("cap_micros").asLong()).isEqualTo(250_000);
        assertThat(owner.api("PUT", "/portal/api/budgets/keys/" + keyId + "/day", "{\"cap_usd\": \"1.5\"}",
                owner.csrf()).statusCode()).isEqualTo(200);

        String secret = key.get("key").asText();
        HttpResponse<String> r = chat(secret, "qwen");
        assertThat(r.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> portal.count("SELECT count(*) FROM billing_ledger WHERE "
                + "request_id = '" + r.headers().firstValue("x-request-id").orElseThrow() + "'") == 1);
        long cost = ledgerUsage("u" + userId("budget-api@example.com"));
        JsonNode list = PortalHttp.json(owner.get("/portal/api/budgets"));
        assertThat(list.get("can_edit").asBoolean()).isTrue();
        assertThat(list.get("data")).hasSize(2);
        JsonNode day = list.get("data").get(1);
        assertThat(day.get("scope").asText()).isEqualTo("key");
        assertThat(day.get("key_id").asLong()).isEqualTo(keyId);
        assertThat(day.get("cap_micros").asLong()).isEqualTo(1_500_000);
        assertThat(day.get("spent_micros").asLong()).isEqualTo(cost);
        assertThat(day.get("held_micros").asLong()).isZero();
        assertThat(day.get("remaining_micros").asLong()).isEqualTo(1_500_000 - cost);

        assertThat(owner.api("DELETE", "/portal/api/budgets/keys/" + keyId + "/day", null, owner.csrf()).statusCode())
                .isEqualTo(200);
        assertThat(owner.api("DELETE", "/portal/api/budgets/keys/" + keyId + "/day", null, owner.csrf()).statusCode())
                .as("already removed").isEqualTo(404);
        assertThat(PortalHttp.json(owner.get("/portal/api/budgets")).get("data")).hasSize(1);
        assertThat(portal.count("SELECT count(*) FROM audit_events WHERE actor = 'budget-api@example.com' AND "
                + "actor_role = 'customer' AND action = 'budget.set' AND request_id LIKE 'req_%'")).isEqualTo(3);
        assertThat(portal.count("SELECT count(*) FROM audit_events WHERE actor = 'budget-api@example.com' AND "
                + "action = 'budget.remove' AND target_type = 'key' AND target_id = '" + keyId + "'")).isEqualTo(1);
        assertThat(owner.api("PUT", "/portal/api/budgets/account/month", "{\"cap_usd\": \"50\"}", null).statusCode())
                .as("without the CSRF header nothing changes").isEqualTo(403);
    }

    @Test
    void a_budget_that_is_not_a_positive_usd_amount_is_refused_naming_the_field_in_the_api_and_the_form() {
        PortalHttp owner = new PortalHttp(portal.baseUrl()).signUp("budget-bad@example.com", PortalTestSupport.PASSWORD);
        for (String bad : new String[] {"\"five\"", "\"0\"", "-3", "\"1.0000001\"", "\"\"", "true", "\"1e3\""}) {
            assertRefused(owner.api("PUT", "/portal/api/budgets/account/day", "{\"cap_usd\": " + bad + "}",
                    owner.csrf()), 400, "cap_usd:");
        }
        assertRefused(owner.api("PUT", "/portal/api/budgets/account/day", "{}", owner.csrf()), 400, "cap_usd:");
        assertRefused(owner.api("PUT", "/portal/api/budgets/account/day", "{\"cap_usd\": \"5\", \"cap\": 5}",
                owner.csrf()), 400, "cap:");
        assertThat(owner.api("PUT", "/portal/api/budgets/account/week", "{\"cap_usd\": \"5\"}", owner.csrf())
                .statusCode()).isEqualTo(404);
        PortalHttp other = new PortalHttp(portal.baseUrl()).signUp("budget-bad-other@example.com",
                PortalTestSupport.PASSWORD);
        long theirKey = other.createKey("theirs").at("/metadata/id").asLong();
        assertThat(owner.api("PUT", "/portal/api/budgets/keys/" + theirKey + "/day", "{\"cap_usd\": \"5\"}",
                owner.csrf()).statusCode()).as("another account's key").isEqualTo(404);
        long revoked = owner.createKey("old").at("/metadata/id").asLong();
        owner.api("DELETE", "/portal/api/keys/" + revoked, null, owner.csrf());
        assertRefused(owner.api("PUT", "/portal/api/budgets/keys/" + revoked + "/day", "{\"cap_usd\": \"5\"}",
                owner.csrf()), 400, "key:");
        assertThat(PortalHttp.json(owner.get("/portal/api/budgets")).get("data")).isEmpty();

        HttpResponse<String> form = owner.post("/portal/budgets", Map.of("key", "", "period", "day", "amount",
                "ten dollars"));
        assertThat(form.statusCode()).isEqualTo(400);
        assertThat(form.body()).contains("Amount (USD): Enter the budget in US dollars")
                .contains("value=\"ten dollars\"").containsPattern("id=\"budget-amount\"[^>]*aria-invalid=\"true\"");
        HttpResponse<String> good = owner.post("/portal/budgets", Map.of("key", "", "period", "day", "amount", "$12.50"));
        assertThat(good.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(good)).isEqualTo("/portal/budgets?saved=1");
        String page = owner.get("/portal/budgets?saved=1").body();
        assertThat(page).contains("The budget is saved.").contains("id=\"budget-account-day\"").contains("$12.50");
    }

    @Test
    void members_of_an_organization_see_its_budgets_but_only_owners_change_them() {
        PortalHttp owner = new PortalHttp(portal.baseUrl()).signUp("budget-owner@example.com",
                PortalTestSupport.PASSWORD);
        assertThat(owner.post("/portal/team/organizations", Map.of("name", "Budget Labs")).statusCode()).isEqualTo(303);
        assertThat(owner.api("PUT", "/portal/api/budgets/account/day", "{\"cap_usd\": \"20\"}", owner.csrf())
                .statusCode()).isEqualTo(200);
        assertThat(owner.post("/portal/team/invite", Map.of("email", "budget-member@example.com", "role", "member"))
                .statusCode()).isEqualTo(303);
        String link = MailCatcher.link(mail.waitFor("budget-member@example.com", "You are invited to Budget Labs"),
                "/invite");
        PortalHttp member = new PortalHttp(portal.baseUrl()).signUp("budget-member@example.com",
                PortalTestSupport.PASSWORD);
        assertThat(member.post("/invite", Map.of("token", link.substring(link.indexOf("token=") + 6))).statusCode())
                .isEqualTo(303);

        JsonNode seen = PortalHttp.json(member.get("/portal/api/budgets"));
        assertThat(seen.get("can_edit").asBoolean()).isFalse();
        assertThat(seen.get("data")).singleElement().satisfies(b -> assertThat(b.get("cap_usd").asText())
                .isEqualTo("20.00"));
        HttpResponse<String> refused = member.api("PUT", "/portal/api/budgets/account/day", "{\"cap_usd\": \"999\"}",
                member.csrf());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(PortalHttp.json(refused).at("/error/code").asText()).isEqualTo("owner_only");
        assertThat(member.api("DELETE", "/portal/api/budgets/account/day", null, member.csrf()).statusCode())
                .isEqualTo(403);
        HttpResponse<String> form = member.post("/portal/budgets", Map.of("key", "", "period", "day", "amount", "1"));
        assertThat(form.statusCode()).isEqualTo(403);
        assertThat(form.body()).contains("Only owners of Budget Labs can change its budgets");
        String page = member.get("/portal/budgets").body();
        assertThat(page).contains("Only owners of Budget Labs can set, change or remove its budgets")
                .doesNotContain("id=\"budget-form\"").contains("$20.00");
        assertThat(PortalHttp.json(owner.get("/portal/api/budgets")).at("/data/0/cap_usd").asText()).isEqualTo("20.00");
    }

    @Test
    void responses_carry_the_tightest_budgets_state_in_headers_and_a_refusal_says_when_it_resets() {
        PortalHttp owner = new PortalHttp(portal.baseUrl()).signUp("budget-headers@example.com",
                PortalTestSupport.PASSWORD);
        JsonNode key = owner.createKey("headers");
        String secret = key.get("key").asText();
        HttpResponse<String> free = chat(secret, "qwen");
        assertThat(free.headers().map().keySet()).as("no budget, no budget headers")
                .noneMatch(h -> h.startsWith("x-budget"));

        owner.api("PUT", "/portal/api/budgets/keys/" + key.at("/metadata/id").asLong() + "/day",
                "{\"cap_usd\": \"2\"}", owner.csrf());
        owner.api("PUT", "/portal/api/budgets/account/month", "{\"cap_usd\": \"100\"}", owner.csrf());
        HttpResponse<String> capped = chat(secret, "qwen");
        assertThat(capped.statusCode()).isEqualTo(200);
        assertThat(capped.headers().firstValue("x-budget-scope")).hasValue("key/day");
        assertThat(capped.headers().firstValue("x-budget-limit-usd")).hasValue("2.00");
        java.math.BigDecimal remaining = new java.math.BigDecimal(capped.headers().firstValue("x-budget-remaining-usd")
                .orElseThrow());
        assertThat(remaining).isLessThan(new java.math.BigDecimal("2")).isGreaterThan(java.math.BigDecimal.ONE);
        assertThat(capped.headers().firstValue("x-budget-reset")).hasValue(LocalDate.now(ZoneOffset.UTC).plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toString());

        owner.api("PUT", "/portal/api/budgets/account/month", "{\"cap_usd\": \"0.000001\"}", owner.csrf());
        HttpResponse<String> refused = chat(secret, "qwen");
        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(PortalHttp.json(refused).at("/error/code").asText()).isEqualTo("budget_exceeded");
        assertThat(refused.headers().firstValue("x-budget-scope")).hasValue("account/month");
        assertThat(refused.headers().firstValue("x-budget-reset")).hasValue(LocalDate.now(ZoneOffset.UTC)
                .withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString());
        assertThat(PortalHttp.json(refused).at("/error/message").asText()).contains("per month on your account");
    }

    @Test
    void a_prepaid_account_under_the_low_credit_threshold_it_set_is_warned_on_the_overview_and_the_change_is_audited() {
        PortalHttp owner = new PortalHttp(portal.baseUrl()).signUp("alert@example.com", PortalTestSupport.PASSWORD);
        long user = userId("alert@example.com");
        portal.portal().admission().changePlan(new AdmissionControl.AccountRef(user, null), "prepaid");
        portal.portal().billing().grant("u" + user, 3_000_000, "trial", new Actor("ops@example.com", "admin", null,
                null), null);
        assertThat(owner.get("/portal").body()).doesNotContain("id=\"credits-low\"")
                .contains("get a mail when credits run low");
        HttpResponse<String> set = owner.api("PUT", "/portal/api/alerts/low-balance", "{\"threshold_micros\": 5000000}",
                owner.csrf());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(PortalHttp.json(owner.get("/portal/api/credits")).get("low_balance_alert_micros").asLong())
                .isEqualTo(5_000_000);
        assertThat(owner.get("/portal").body()).as("3 available is under the 5 the account asked to hear about")
                .contains("id=\"credits-low\"").contains("below the $5.00 you set");
        assertThat(owner.get("/portal/budgets").body()).contains("We mail you when credits fall below $5.00");

        assertThat(owner.api("PUT", "/portal/api/alerts/low-balance", "{\"threshold_micros\": null}", owner.csrf())
                .statusCode()).isEqualTo(200);
        assertThat(PortalHttp.json(owner.get("/portal/api/credits")).get("low_balance_alert_micros").isNull())
                .as("no threshold reads back as none, not as $0").isTrue();
        assertThat(owner.get("/portal").body()).doesNotContain("id=\"credits-low\"");
        assertThat(portal.count("SELECT count(*) FROM audit_events WHERE action = 'billing.low_balance_alert' AND "
                + "actor = 'alert@example.com' AND actor_role = 'customer' AND target_id = 'u" + user + "'"))
                .isEqualTo(2);
    }

    @Test
    void spend_per_day_comes_by_model_or_by_key_and_the_usage_page_draws_it() {
        PortalHttp customer = new PortalHttp(portal.baseUrl()).signUp("per-day@example.com",
                PortalTestSupport.PASSWORD);
        JsonNode a = customer.createKey("alpha");
        JsonNode b = customer.createKey("beta");
        spend(a.get("key").asText(), 2, "qwen");
        spend(b.get("key").asText(), 1, "oss-120b");
        long total = ledgerUsage("u" + userId("per-day@example.com"));

        JsonNode byModel = PortalHttp.json(customer.get("/portal/api/spend?by=model"));
        assertThat(byModel.get("total_cost_micros").asLong()).isEqualTo(total);
        assertThat(byModel.get("daily")).extracting(d -> d.get("model").asText())
                .containsExactlyInAnyOrder("oss-120b", "qwen");
        JsonNode byKey = PortalHttp.json(customer.get("/portal/api/spend?by=key&from=" + today()));
        assertThat(byKey.get("daily")).extracting(d -> d.get("key_id").asLong())
                .containsExactlyInAnyOrder(a.at("/metadata/id").asLong(), b.at("/metadata/id").asLong());
        assertRefused(customer.get("/portal/api/spend?by=colour"), 400, "by:");

        String page = customer.get("/portal/usage?days=7&by=key").body();
        assertThat(page).contains("Spend per day by key").contains("<svg").contains("alpha (")
                .contains("id=\"spend-total\">" + ai.cortensor.portal.billing.Money.usd(total) + "</span>")
                .contains("/portal/api/usage/export?from=");
        assertThat(page.substring(page.indexOf("<figure class=\"spend-chart\""), page.indexOf("</figure>")))
                .as("a chart without script").doesNotContain("<script");
    }
}
