package ai.cortensor.portal.portal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Budget;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 items 1, 3 and 7 in real Chromium: an admin moves a customer to prepaid credits, sees "Out of credits",
 * grants and adjusts credits on the account page (a resent form is one entry), changes a model's prices that the
 * customer's Models page then shows, and reads balances, spend (the chart), reconciliation and the audit log in USD;
 * support sees the same read-only. At desktop width and at 375 px, light and dark; screenshots in
 * target/screenshots/billing-*.png.
 */
class BillingConsoleIT {
    static PortalTestSupport.Running portal;
    static Browser browser;
    static String admin;
    static String support;

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        portal = PortalTestSupport.start();
        OperatorStore operators = new OperatorStore(portal.jdbi(), new SecureRandom());
        admin = operators.issue("billing-admin@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        support = operators.issue("billing-desk@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
        // a week of traffic on three models for the spend page: today's requests, some moved to earlier days
        String key = portal.newKey("steady.spender@example.com");
        List<String> models = List.of("qwen", "oss-20b", "gemma-4");
        for (int i = 0; i < 12; i++) {
            String body = "{\"model\":\"" + models.get(i % 3) + "\",\"max_tokens\":" + (40 + 20 * (i % 4))
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"Write a few lines about day " + i + "\"}]}";
            HttpHelper.post(portal, key, body);
        }
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> portal.count("SELECT count(*) FROM usage_events") >= 12);
        portal.jdbi().useHandle(h -> h.execute("UPDATE usage_events SET occurred_at = occurred_at - "
                + "make_interval(days => (id % 5)::int)"));
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal);
    }

    /** {@code POST /v1/chat/completions} with any body, from the test. */
    static final class HttpHelper {
        static void post(PortalTestSupport.Running p, String key, String body) {
            try {
                var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(p.baseUrl() + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static void signIn(Page page, String token) {
        page.navigate(portal.baseUrl() + "/admin");
        page.getByLabel("Operator token").fill(token);
        page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
        assertThat(page).hasURL(portal.baseUrl() + "/admin");
    }

    static long user(String email) {
        return portal.portal().accounts().findByEmail(email).orElseThrow().id();
    }

    @Test
    void admin_moves_a_customer_to_prepaid_grants_and_adjusts_credits_and_a_resent_form_is_one_entry() {
        String email = "wallet.owner@example.com";
        portal.newKey(email);
        String account = "u" + user(email);
        try (BrowserContext ops = browser.newContext()) {
            Page page = ops.newPage();
            signIn(page, admin);
            page.navigate(portal.baseUrl() + "/admin/accounts/" + account);
            assertThat(page.locator("#balance")).hasText("$0.00");
            assertThat(page.locator("#ledger-empty")).isVisible();

            page.locator("#plan-select").selectOption("prepaid");
            page.locator("#plan-reason").fill("customer chose pay as you go");
            page.getByRole(AriaRole.BUTTON, Browser.named("Change plan")).click();
            assertThat(page.locator("#why-blocked")).containsText("Out of credits: insufficient_credits");
            Browser.shot(page, "billing-01-prepaid-out-of-credits");

            page.locator("#credit-amount").fill("25");
            page.locator("#credit-reason").fill("prepaid invoice 2026-12");
            page.getByRole(AriaRole.BUTTON, Browser.named("Grant credits")).click();
            assertThat(page.locator("#done")).containsText("billing.credit");
            assertThat(page.locator("#done")).containsText("prepaid invoice 2026-12");
            assertThat(page.locator("#balance")).hasText("$25.00");
            assertThat(page.locator("#available")).hasText("$25.00");
            assertThat(page.locator("#ledger tbody tr").first()).containsText("+$25.00");
            assertThat(page.locator("#why-blocked")).containsText("Nothing blocks this account");
            Browser.shot(page, "billing-02-granted");

            // the same form sent twice (a double click, a resend after a timeout): one entry
            page.locator("#credit-amount").fill("5");
            page.locator("#credit-reason").fill("sent twice");
            page.evaluate("""
                    async () => {
                      const f = document.querySelector('#credits form');
                      const body = new URLSearchParams(new FormData(f));
                      for (let i = 0; i < 2; i++) await fetch(f.action, {method: 'POST', body, redirect: 'manual'});
                    }""");
            assertThat(portal.count("SELECT count(*) FROM billing_ledger WHERE account = '" + account
                    + "' AND description LIKE '%sent twice'")).isEqualTo(1);

            page.navigate(portal.baseUrl() + "/admin/accounts/" + account);
            page.locator("#credit-amount").fill("twelve");
            page.locator("#credit-reason").fill("typo");
            page.getByRole(AriaRole.BUTTON, Browser.named("Grant credits")).click();
            assertThat(page.locator("#notice")).containsText("must be an amount in USD");
            assertThat(page.locator("#balance")).hasText("$30.00");

            page.locator("#credit-amount").fill("-3.25");
            page.locator("#credit-reason").fill("refund of a duplicate charge");
            page.locator("#adjust-button").click();
            assertThat(page.locator("#done")).containsText("billing.adjustment");
            assertThat(page.locator("#balance")).hasText("$26.75");
            assertThat(page.locator("#ledger tbody tr").first()).containsText("-$3.25");
            Browser.shot(page, "billing-03-adjusted");

            page.navigate(portal.baseUrl() + "/admin/audit?target_id=" + account);
            assertThat(page.locator("#audit")).containsText("balance $25.00 → $30.00 (+$5.00, ledger entry");
            assertThat(page.locator("#audit")).containsText("balance $30.00 → $26.75 (-$3.25, ledger entry");
            Browser.shot(page, "billing-04-audit");

            page.navigate(portal.baseUrl() + "/admin/accounts/" + account + "/ledger");
            assertThat(page.locator("#ledger tbody tr")).hasCount(3);

            portal.portal().billing().setBudget(Budget.Scope.ACCOUNT, account, Budget.Period.DAY, 500L,
                    Actor.system("test"));
            portal.jdbi().useHandle(h -> h.execute("UPDATE billing_spend SET spent_micros = 500 WHERE counter = ?",
                    "account:" + account + ":day"));
            page.navigate(portal.baseUrl() + "/admin/accounts/" + account);
            assertThat(page.locator("#why-blocked")).containsText("Budget reached: budget_exceeded");
        }
        List<String> problems = new ArrayList<>();
        for (ColorScheme scheme : new ColorScheme[] {ColorScheme.LIGHT, ColorScheme.DARK}) {
            try (BrowserContext phone = browser.newContext(PhoneWidthIT.WIDTH, PhoneWidthIT.HEIGHT, scheme)) {
                Page page = phone.newPage();
                signIn(page, admin);
                String s = scheme.name().toLowerCase(java.util.Locale.ROOT);
                page.navigate(portal.baseUrl() + "/admin/accounts/" + account);
                fits(page, "billing-phone-account-" + s, problems);
                page.navigate(portal.baseUrl() + "/admin/accounts/" + account + "/ledger");
                fits(page, "billing-phone-ledger-" + s, problems);
            }
        }
        try (BrowserContext desk = browser.newContext()) {
            Page page = desk.newPage();
            signIn(page, support);
            page.navigate(portal.baseUrl() + "/admin/accounts/" + account);
            assertThat(page.locator("#credits-readonly")).containsText("cannot grant or adjust");
            assertThat(page.locator("#credits form")).hasCount(0);
            assertThat(page.locator("#balance")).hasText("$26.75");
        }
        assertThat(problems).as("what does not fit a 375 px phone").isEmpty();
    }

    @Test
    void admin_changes_a_models_prices_in_usd_and_the_customers_models_page_shows_them_per_million_tokens() {
        try (BrowserContext ops = browser.newContext(); BrowserContext customer = browser.newContext()) {
            Page page = ops.newPage();
            signIn(page, admin);
            page.navigate(portal.baseUrl() + "/admin/pools");
            assertThat(page.locator("td[data-prices=qwen]")).hasText("$0.06 in · $0.24 out");
            page.getByRole(AriaRole.LINK, Browser.named("Prices of qwen")).click();
            assertThat(page.locator("#price-input")).hasText("$0.06 per million tokens");
            assertThat(page.locator("#price-reasoning")).hasText("As output");

            page.locator("#price-input-field").fill("0.0725");
            page.locator("#price-output-field").fill("0.29");
            page.locator("#price-reasoning-field").fill("0.000001x");
            page.locator("#price-reason").fill("typo first");
            page.getByRole(AriaRole.BUTTON, Browser.named("Change prices")).click();
            assertThat(page.locator("#notice")).containsText("Reasoning price must be an amount in USD");
            assertThat(portal.count("SELECT prompt_price FROM models WHERE alias = 'qwen'")).isEqualTo(60_000);

            page.locator("#price-input-field").fill("0.0725");
            page.locator("#price-output-field").fill("0.29");
            page.locator("#price-reasoning-field").fill("0.5");
            page.locator("#price-reason").fill("2027 price list");
            page.getByRole(AriaRole.BUTTON, Browser.named("Change prices")).click();
            assertThat(page.locator("#done")).containsText("model.prices");
            assertThat(page.locator("#price-input")).hasText("$0.0725 per million tokens");
            assertThat(page.locator("#price-history tbody tr").first())
                    .containsText("input $0.06 → $0.0725; output $0.24 → $0.29; reasoning as output → $0.50");
            assertThat(portal.count("SELECT prompt_price FROM models WHERE alias = 'qwen'")).isEqualTo(72_500);
            Browser.shot(page, "billing-05-model-prices");

            Page me = customer.newPage();
            PortalTestSupport.signUp(me, portal.baseUrl(), "price.reader@example.com");
            me.navigate(portal.baseUrl() + "/portal/models");
            assertThat(me.locator("td.model-price[data-model=qwen]")).containsText("$0.0725 input");
            assertThat(me.locator("td.model-price[data-model=qwen]")).containsText("$0.29 output");
            assertThat(me.locator("td.model-price[data-model=qwen]")).containsText("$0.50 reasoning");
            assertThat(me.locator("td.model-price[data-model=oss-20b]")).containsText("$0.20 output");
            assertThat(me.locator("td.model-price[data-model=oss-20b]")).not().containsText("reasoning");
            Browser.shot(me, "billing-06-customer-models");
            List<String> problems = new ArrayList<>();
            try (BrowserContext phone = browser.newContext(PhoneWidthIT.WIDTH, PhoneWidthIT.HEIGHT,
                    ColorScheme.LIGHT)) {
                Page p = phone.newPage();
                PortalTestSupport.signUp(p, portal.baseUrl(), "phone.price.reader@example.com");
                p.navigate(portal.baseUrl() + "/portal/models");
                fits(p, "billing-phone-customer-models", problems);
                signIn(p, admin);
                p.navigate(portal.baseUrl() + "/admin/models/qwen");
                fits(p, "billing-phone-model", problems);
                p.navigate(portal.baseUrl() + "/admin/pools");
                fits(p, "billing-phone-pools", problems);
            }
            assertThat(problems).as("what does not fit a 375 px phone").isEmpty();
        } finally {
            portal.portal().operations().setModelPrices("qwen", 60_000L, 240_000L, true, null, "restore",
                    new Actor("billing-admin@ops.test", "admin", null, null));
        }
    }

    @Test
    void operators_read_balances_spend_with_its_chart_and_a_clean_reconciliation() {
        String email = "ranked.wallet@example.com";
        portal.newKey(email);
        portal.portal().billing().grant("u" + user(email), 1_234_560_000L, "big prepaid", Actor.system("test"), null);
        try (BrowserContext ops = browser.newContext()) {
            Page page = ops.newPage();
            signIn(page, support);
            page.getByRole(AriaRole.LINK, Browser.named("Billing").setExact(true)).click();
            page.getByRole(AriaRole.LINK, Browser.named("Most available")).click();
            assertThat(page.locator("#balances tbody tr").first()).containsText(email);
            assertThat(page.locator("#balances tbody tr").first()).containsText("$1234.56");
            Browser.shot(page, "billing-07-balances");

            page.navigate(portal.baseUrl() + "/admin/billing/spend");
            long total = portal.count("SELECT sum(cost_micros) FROM usage_events");
            assertThat(page.locator("#spend-total")).hasText(ai.cortensor.portal.billing.Money.usd(total));
            assertThat(page.locator("#spend-chart svg rect.seg").first()).isVisible();
            assertThat(page.locator("#spend-chart svg")).hasAttribute("aria-label",
                    java.util.regex.Pattern.compile("^Spend per day: \\$.* over 30 days; highest .*"));
            assertThat(page.locator("#spend-by-model tbody tr")).hasCount(3);
            assertThat(page.locator("#spend-by-day tbody tr")).hasCount(5);
            Browser.shot(page, "billing-08-spend");

            page.navigate(portal.baseUrl() + "/admin/billing/spend?account=steady.spender@example.com&from=2025-01-01");
            assertThat(page.locator("#notice")).containsText("at most 366 days");

            page.navigate(portal.baseUrl() + "/admin/billing/reconcile");
            assertThat(page.locator("#reconcile-ok")).containsText("No drift");
            String acct = "u" + user(email);
            portal.jdbi().useHandle(h -> h.execute("UPDATE billing_balances SET balance_micros = balance_micros + 42 "
                    + "WHERE account = ?", acct));
            try {
                page.getByRole(AriaRole.LINK, Browser.named("Check again")).click();
                assertThat(page.locator("#reconcile-drift")).containsText("1 drift");
                assertThat(page.locator("#drifts")).containsText(acct);
                assertThat(page.locator("#drifts")).containsText("$0.000042");
                Browser.shot(page, "billing-09-reconcile-drift");
            } finally {
                portal.jdbi().useHandle(h -> h.execute("UPDATE billing_balances SET balance_micros = balance_micros - 42 "
                        + "WHERE account = ?", acct));
            }
        }
        List<String> problems = new ArrayList<>();
        for (ColorScheme scheme : new ColorScheme[] {ColorScheme.LIGHT, ColorScheme.DARK}) {
            try (BrowserContext phone = browser.newContext(PhoneWidthIT.WIDTH, PhoneWidthIT.HEIGHT, scheme)) {
                Page page = phone.newPage();
                signIn(page, support);
                String s = scheme.name().toLowerCase(java.util.Locale.ROOT);
                page.navigate(portal.baseUrl() + "/admin/billing");
                fits(page, "billing-phone-balances-" + s, problems);
                page.navigate(portal.baseUrl() + "/admin/billing/spend");
                fits(page, "billing-phone-spend-" + s, problems);
                page.navigate(portal.baseUrl() + "/admin/billing/reconcile");
                fits(page, "billing-phone-reconcile-" + s, problems);
            }
        }
        try (BrowserContext dark = browser.newContext(1280, 860, ColorScheme.DARK)) {
            Page page = dark.newPage();
            signIn(page, support);
            page.navigate(portal.baseUrl() + "/admin/billing/spend");
            Browser.shot(page, "billing-10-spend-dark");
        }
        assertThat(problems).as("what does not fit a 375 px phone").isEmpty();
    }

    static void fits(Page page, String name, List<String> problems) {
        Browser.shot(page, name);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) page.evaluate(PhoneWidthIT.MEASURE);
        if (((Number) m.get("scrollWidth")).intValue() > PhoneWidthIT.WIDTH) {
            problems.add(name + " is " + m.get("scrollWidth") + " px wide: " + m.get("wide"));
        }
    }
}
