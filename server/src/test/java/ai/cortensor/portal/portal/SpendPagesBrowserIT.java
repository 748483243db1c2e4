package ai.cortensor.portal.portal;

import static ai.cortensor.portal.portal.Browser.named;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.plans.AdmissionControl;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.BoundingBox;
import com.microsoft.playwright.options.ColorScheme;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A prepaid customer's money pages in real Chromium, on a desktop window and a 375 px phone, light and dark: the
 * overview's credits and month spend, the usage page's spend chart and tables (by model, by key) and its CSV export
 * (a real download whose costs are the ledger's), and the budgets page — a refused amount named on its field, a key
 * budget set from the keys page with its spent / held / remaining / reset, removed again — and the overview's warning
 * once credits are under the low-credit threshold set on the alerts page.
 * Screenshots: target/screenshots/spend-{desktop,phone}-*.png (and -dark-).
 */
class SpendPagesBrowserIT {
    static PortalTestSupport.Running portal;
    static Browser browser;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        portal = PortalTestSupport.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal);
    }

    final List<String> problems = new ArrayList<>();

    void shot(Page page, String device, String name) {
        Browser.shot(page, "spend-" + device + "-" + name);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) page.evaluate(PhoneWidthIT.MEASURE);
        int width = page.viewportSize().width;
        if (((Number) m.get("scrollWidth")).intValue() > width) {
            problems.add(name + " is " + m.get("scrollWidth") + " px wide in a " + width + " px window; sticking out: "
                    + m.get("wide"));
        }
    }

    void onScreen(Page page, Locator l, String what) {
        l.scrollIntoViewIfNeeded();
        assertThat(l).isVisible();
        BoundingBox box = l.boundingBox();
        if (box.x < 0 || box.x + box.width > page.viewportSize().width + 0.5) {
            problems.add(what + " is off screen: x=" + box.x + " width=" + box.width);
        }
    }

    static void spend(String key, String model, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(portal.baseUrl()
                            + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":200,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"How much did this cost?\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0} px wide")
    @ValueSource(ints = {1280, 375})
    void a_prepaid_customer_sees_credits_and_spend_exports_it_and_caps_a_key(int width) throws Exception {
        String device = width < 600 ? "phone" : "desktop";
        String base = portal.baseUrl();
        String email = "spender-" + device + "@example.com";
        try (BrowserContext context = browser.newContext(width, 860, ColorScheme.LIGHT)) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, base, email);
            long user = portal.count("SELECT id FROM users WHERE email = '" + email + "'");
            String account = "u" + user;
            // the operator's side: the prepaid plan and $20 of credits
            portal.portal().admission().changePlan(new AdmissionControl.AccountRef(user, null), "prepaid");
            portal.portal().billing().grant(account, 20_000_000, "welcome", new Actor("ops@example.com", "admin",
                    null, null), null);

            page.navigate(base + "/portal/keys");
            page.getByLabel("Name").fill("batch-jobs");
            page.getByRole(AriaRole.BUTTON, named("Create key")).click();
            String jobs = page.locator("#new-key").inputValue();
            page.navigate(base + "/portal/keys");
            page.getByLabel("Name").fill("chat-app");
            page.getByRole(AriaRole.BUTTON, named("Create key")).click();
            String app = page.locator("#new-key").inputValue();
            spend(jobs, "oss-120b", 3);
            spend(app, "qwen", 2);
            spend(app, "gemma-4", 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> portal.count("SELECT count(*) FROM billing_ledger "
                    + "WHERE account = '" + account + "' AND entry_type = 'usage'") == 6);
            long spent = -portal.count("SELECT sum(amount_micros) FROM billing_ledger WHERE account = '" + account
                    + "' AND entry_type = 'usage'");

            page.navigate(base + "/portal");
            assertThat(page.locator("#spend-usage")).hasText(Money.usd(spent));
            assertThat(page.locator("#credits-available span")).hasText(Money.usd(20_000_000 - spent));
            assertThat(page.locator("#credits-held")).hasText("$0.00");
            shot(page, device, "01-overview");

            page.navigate(base + "/portal/usage");
            Locator chart = page.locator("#spend-chart");
            chart.scrollIntoViewIfNeeded();
            assertThat(chart.locator("svg")).isVisible();
            assertThat(chart.locator("rect")).hasCount(3); // today, one segment per model
            assertThat(chart.locator(".legend li")).hasCount(3);
            assertThat(page.locator("#spend-total")).hasText(Money.usd(spent));
            assertThat(page.locator("#spend-table tbody tr")).hasCount(3);
            assertThat(page.locator("#spend-table tbody tr").first()).containsText("oss-120b");
            shot(page, device, "02-usage-by-model");
            page.getByLabel("Spend by").selectOption("key");
            page.getByRole(AriaRole.BUTTON, named("Apply")).click();
            assertThat(page.getByRole(AriaRole.HEADING, named("Spend per day by key"))).isVisible();
            assertThat(page.locator("#spend-table")).containsText("batch-jobs (");
            assertThat(page.locator("#spend-table")).containsText("chat-app (");
            page.locator("details.per-day summary").click();
            assertThat(page.locator("#spend-days-table tbody tr")).hasCount(2);
            shot(page, device, "03-usage-by-key");

            Locator csv = page.locator("#export-csv");
            onScreen(page, csv, "the CSV export link");
            Download download = page.waitForDownload(csv::click);
            List<String> lines = Files.readAllLines(download.path());
            assertThat(lines.get(0)).isEqualTo(UsageExport.CSV_HEADER.strip());
            assertThat(lines).hasSize(7);
            long exported = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[6])).sum();
            assertThat(exported).as("the downloaded export's costs are the ledger's").isEqualTo(spent);

            page.navigate(base + "/portal/keys");
            Locator setBudget = page.locator("#keys-table tr", new Page.LocatorOptions().setHasText("batch-jobs"))
                    .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Set a budget"));
            onScreen(page, setBudget, "Set a budget on the keys table");
            setBudget.click();
            assertThat(page.getByLabel("Applies to")).hasValue(Long.toString(portal.count(
                    "SELECT id FROM api_keys WHERE name = 'batch-jobs' AND user_id = " + user)));
            page.getByLabel("Amount (USD)").fill("twelve");
            page.getByRole(AriaRole.BUTTON, named("Save budget")).click();
            assertThat(page.locator("#budget-error")).hasText(
                    "Amount (USD): Enter the budget in US dollars, a positive amount such as 5 or 12.50 (at most 6 "
                            + "decimals).");
            assertThat(page.getByLabel("Amount (USD)")).hasAttribute("aria-invalid", "true");
            assertThat(page.getByLabel("Amount (USD)")).hasValue("twelve");
            shot(page, device, "04-budget-refused");
            page.getByLabel("Period").selectOption("day");
            page.getByLabel("Amount (USD)").fill("1.50");
            page.getByRole(AriaRole.BUTTON, named("Save budget")).click();
            assertThat(page.getByRole(AriaRole.STATUS)).hasText("The budget is saved. It applies to requests from now on.");
            Locator row = page.locator("#budgets-table tbody tr");
            assertThat(row).hasCount(1);
            long jobsSpent = -portal.count("SELECT sum(l.amount_micros) FROM billing_ledger l JOIN usage_events u "
                    + "ON u.request_id = l.request_id JOIN api_keys k ON k.id = u.api_key_id WHERE k.name = "
                    + "'batch-jobs' AND k.user_id = " + user);
            assertThat(row).containsText("batch-jobs");
            assertThat(row).containsText("$1.50");
            assertThat(row).containsText(Money.usd(jobsSpent));
            assertThat(row).containsText(Money.usd(1_500_000 - jobsSpent));
            assertThat(row).containsText("00:00:00 UTC");
            shot(page, device, "05-budget-set");

            page.navigate(base + "/portal");
            page.getByRole(AriaRole.LINK, named("get a mail when credits run low")).click();
            page.getByLabel("Mail me when credits fall below $").fill("25");
            page.locator("form[action='/portal/alerts/low-balance']").getByRole(AriaRole.BUTTON,
                    new Locator.GetByRoleOptions().setName("Save")).click();
            page.navigate(base + "/portal");
            assertThat(page.locator("#credits-low")).containsText("below the $25.00 you set");
            assertThat(page.locator("main")).containsText("1 budget set");
            assertThat(page.locator("#credits-available")).containsText(Money.usd(20_000_000 - spent));
            shot(page, device, "06-overview-low-credits");

            try (BrowserContext dark = browser.newContext(width, 860, ColorScheme.DARK)) {
                dark.addCookies(context.cookies());
                Page night = dark.newPage();
                for (String p : new String[] {"", "/usage?by=model", "/budgets"}) {
                    night.navigate(base + "/portal" + p);
                    assertThat(LookAndFeelIT.lightBackgrounds(night)).as("light surfaces on /portal%s in the dark", p)
                            .isEmpty();
                }
                assertThat(night.locator("#budgets-table")).isVisible();
                shot(night, device, "07-dark-budgets");
                night.navigate(base + "/portal/usage?by=model");
                night.locator("#spend-chart").scrollIntoViewIfNeeded();
                shot(night, device, "08-dark-usage");
            }

            page.navigate(base + "/portal/budgets");
            Locator remove = page.getByRole(AriaRole.BUTTON, named("Remove the budget of Key batch-jobs"));
            onScreen(page, remove, "Remove on the budgets table");
            remove.click();
            assertThat(page.getByRole(AriaRole.STATUS)).hasText("The budget is removed.");
            assertThat(page.locator("#no-budgets")).isVisible();
            shot(page, device, "09-budget-removed");
        }
        assertThat(problems).as("what does not fit or is off screen at %d px", width).isEmpty();
    }
}
