package ai.cortensor.portal.portal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 items 5 and 6 in real Chromium: an operator finds customers by part of a name, an email domain or a key
 * name, pages through the sign-ups, sees the busiest accounts; an admin moves a customer to another plan and
 * overrides a limit with a reason, and the customer's billing page and rate-limit headers follow. At desktop width
 * and at 375 px (nothing wider than the phone); screenshots in target/screenshots/support-*.png.
 */
class OperatorSupportConsoleIT {
    static PortalTestSupport.Running portal;
    static Browser browser;
    static String admin;
    static String support;

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        portal = PortalTestSupport.start();
        OperatorStore operators = new OperatorStore(portal.jdbi(), new SecureRandom());
        admin = operators.issue("console-admin@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        support = operators.issue("console-desk@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
        // traffic before any console page is open: the console reuses its busiest-accounts list for 30 s once read
        String busy = portal.newKey("busy.customer@example.com");
        assertThat(portal.chat(busy).statusCode()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> portal.count("SELECT count(*) FROM usage_events") >= 1);
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal);
    }

    static void signIn(Page page, String token) {
        page.navigate(portal.baseUrl() + "/admin");
        page.getByLabel("Operator token").fill(token);
        page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
        assertThat(page).hasURL(portal.baseUrl() + "/admin");
    }

    static void find(Page page, String q) {
        page.locator("#q").fill(q);
        page.getByRole(AriaRole.BUTTON, Browser.named("Find").setExact(true)).last().click();
    }

    /** Notes a page wider than a 375 px window (as {@link PhoneWidthIT} measures it). */
    static void fits(Page page, String name, List<String> problems) {
        Browser.shot(page, "support-phone-" + name);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) page.evaluate(PhoneWidthIT.MEASURE);
        if (((Number) m.get("scrollWidth")).intValue() > PhoneWidthIT.WIDTH) {
            problems.add(name + " is " + m.get("scrollWidth") + " px wide: " + m.get("wide"));
        }
    }

    @Test
    void operator_finds_customers_by_part_of_a_name_or_domain_pages_through_sign_ups_and_sees_the_busiest_accounts() {
        long peter = portal.portal().accounts().ensureUser("peter.gibbons@initech.test", "Peter Gibbons");
        long milton = portal.portal().accounts().ensureUser("milton@initech.test", "Milton Waddams");
        new OrganizationStore(portal.jdbi()).create("Initech Holdings", peter, Actor.system("test"));
        portal.portal().keys().issue("initech-tps-reports", milton, null, null);
        for (int i = 0; i < 55; i++) {
            portal.portal().accounts().ensureUser(String.format("signup-%02d@crowd.test", i), null);
        }

        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            signIn(page, admin);
            assertThat(page.locator("#recent-signups li").first()).containsText("signup-54@crowd.test");
            assertThat(page.locator("#top-accounts")).containsText("busy.customer@example.com");
            Browser.shot(page, "support-01-find-empty");

            find(page, "INITECH");
            assertThat(page.locator("#found-summary")).hasText("Matching “INITECH”: 2 users, 1 organization, 1 key.");
            assertThat(page.locator("#found-users")).containsText("peter.gibbons@initech.test");
            assertThat(page.locator("#found-users")).containsText("Milton Waddams");
            assertThat(page.locator("#found-orgs")).containsText("Initech Holdings");
            assertThat(page.locator("#found-keys")).containsText("initech-tps-reports");
            Browser.shot(page, "support-02-found");

            find(page, "@INITECH.test");
            assertThat(page.locator("#found-users tbody tr")).hasCount(2);
            assertThat(page.locator("#found-orgs")).hasCount(0);

            find(page, "qqzzx-nobody");
            assertThat(page.locator("#found-summary")).hasText("No users, organizations or keys match “qqzzx-nobody”.");
            find(page, "ab");
            assertThat(page.locator("#search-error")).containsText("at least 3 characters");
            Browser.shot(page, "support-03-too-short");

            find(page, "peter");
            page.locator("#found-users").getByRole(AriaRole.LINK, new Locator.GetByRoleOptions()
                    .setName("peter.gibbons@initech.test")).click();
            assertThat(page).hasURL(portal.baseUrl() + "/admin/accounts/u" + peter);

            page.navigate(portal.baseUrl() + "/admin");
            page.getByRole(AriaRole.LINK, Browser.named("All sign-ups, newest first")).click();
            assertThat(page.locator("#list tbody tr")).hasCount(50);
            assertThat(page.locator("#list tbody tr").first()).containsText("signup-54@crowd.test");
            Browser.shot(page, "support-04-signups");
            page.getByRole(AriaRole.LINK, Browser.named("Next page")).click();
            assertThat(page.locator("#list tbody tr").first()).containsText("signup-04@crowd.test");
            assertThat(page.locator("#list")).containsText("peter.gibbons@initech.test");

            page.navigate(portal.baseUrl() + "/admin/usage");
            assertThat(page.locator("#by-usage tbody tr").first()).containsText("busy.customer@example.com");
            page.locator("select[name=by]").selectOption("requests");
            page.getByRole(AriaRole.BUTTON, Browser.named("Show")).click();
            assertThat(page).hasURL(java.util.regex.Pattern.compile(".*by=requests.*"));
            assertThat(page.locator("#by-usage")).containsText("busy.customer@example.com");
            Browser.shot(page, "support-05-usage");
        }

        List<String> problems = new ArrayList<>();
        try (BrowserContext context = browser.newContext(PhoneWidthIT.WIDTH, PhoneWidthIT.HEIGHT, ColorScheme.LIGHT)) {
            Page page = context.newPage();
            signIn(page, support);
            fits(page, "find", problems);
            page.navigate(portal.baseUrl() + "/admin?q=initech");
            fits(page, "found", problems);
            page.navigate(portal.baseUrl() + "/admin/users");
            fits(page, "signups", problems);
            page.navigate(portal.baseUrl() + "/admin/keys?q=initech");
            fits(page, "keys", problems);
            page.navigate(portal.baseUrl() + "/admin/usage");
            fits(page, "usage", problems);
        }
        assertThat(problems).as("what does not fit a 375 px phone").isEmpty();
    }

    @Test
    void admin_moves_a_customer_to_another_plan_and_overrides_a_limit_and_the_customer_sees_it() {
        String email = "growing.startup@example.com";
        try (BrowserContext customer = browser.newContext(); BrowserContext ops = browser.newContext()) {
            Page me = customer.newPage();
            PortalTestSupport.signUp(me, portal.baseUrl(), email);
            me.navigate(portal.baseUrl() + "/portal/billing");
            assertThat(me.locator("#limits-table tr[data-limit=rpm]")).containsText("20");
            assertThat(me.locator("#limits-table")).not().containsText("set for your account");
            long user = portal.portal().accounts().findByEmail(email).orElseThrow().id();

            Page page = ops.newPage();
            signIn(page, admin);
            find(page, "growing.startup");
            page.locator("#found-users").getByRole(AriaRole.LINK).first().click();
            assertThat(page.locator("#plan-now")).containsText("Free");
            assertThat(page.locator("#plan-now")).containsText("No limit overrides");

            page.locator("#plan-select").selectOption("developer");
            page.locator("#plan-reason").fill("upgrade agreed in ticket #88");
            page.getByRole(AriaRole.BUTTON, Browser.named("Change plan")).click();
            assertThat(page.locator("#done")).containsText("account.plan");
            assertThat(page.locator("#done")).containsText("upgrade agreed in ticket #88");
            assertThat(page.locator("#plan-now")).containsText("Developer");

            page.locator("#limit-rpm").fill("7");
            page.locator("#limit-weekly_tokens").fill("abc");
            page.locator("#limits-reason").fill("launch week");
            page.getByRole(AriaRole.BUTTON, Browser.named("Save limits")).click();
            assertThat(page.locator("#notice")).containsText("weekly_tokens must be a whole number");
            assertThat(page.locator("#plan-now")).containsText("No limit overrides");

            page.locator("#limit-rpm").fill("7");
            page.locator("#limit-weekly_tokens").fill("123,456");
            page.locator("#limits-reason").fill("launch week, ticket #91");
            page.getByRole(AriaRole.BUTTON, Browser.named("Save limits")).click();
            assertThat(page.locator("#done")).containsText("account.limits");
            assertThat(page.locator("#overrides")).hasText("rpm 7, weekly_tokens 123,456");
            assertThat(page.locator("#limit-rpm")).hasValue("7");
            Locator rpm = page.locator("#limits tr", new Page.LocatorOptions().setHas(page.locator("td[data-source=rpm]")));
            assertThat(rpm).containsText("override");
            Browser.shot(page, "support-06-account-plan-limits");

            me.reload();
            assertThat(me.locator("#limits-table tr[data-limit=rpm]")).containsText("7");
            assertThat(me.locator("#limits-table tr[data-limit=rpm]")).containsText("set for your account");
            assertThat(me.locator("#limits-table tr[data-limit=weekly_tokens]")).containsText("123,456");
            assertThat(me.locator("#limits-table tr[data-limit=tpm]")).not().containsText("set for your account");
            assertThat(me.locator("main")).containsText("You are on the Developer plan");
            Browser.shot(me, "support-07-customer-billing");

            String key = portal.portal().keys().issue("after-override", user, null, null).token();
            assertThat(portal.chat(key).headers().firstValue("x-ratelimit-limit-requests")).hasValue("7");

            page.locator("#limit-rpm").fill("");
            page.locator("#limits-reason").fill("back to the plan's rate");
            page.getByRole(AriaRole.BUTTON, Browser.named("Save limits")).click();
            assertThat(page.locator("#overrides")).hasText("weekly_tokens 123,456");
            me.reload();
            assertThat(me.locator("#limits-table tr[data-limit=rpm]")).containsText("120");
        }

        List<String> problems = new ArrayList<>();
        for (ColorScheme scheme : new ColorScheme[] {ColorScheme.LIGHT, ColorScheme.DARK}) {
            try (BrowserContext phone = browser.newContext(PhoneWidthIT.WIDTH, PhoneWidthIT.HEIGHT, scheme)) {
                Page page = phone.newPage();
                signIn(page, admin);
                page.navigate(portal.baseUrl() + "/admin?q=growing.startup");
                page.locator("#found-users").getByRole(AriaRole.LINK).first().click();
                fits(page, "account-" + scheme.name().toLowerCase(java.util.Locale.ROOT), problems);
            }
        }
        try (BrowserContext dark = browser.newContext(1280, 860, ColorScheme.DARK)) {
            Page page = dark.newPage();
            signIn(page, support);
            page.navigate(portal.baseUrl() + "/admin?q=growing.startup");
            page.locator("#found-users").getByRole(AriaRole.LINK).first().click();
            assertThat(page.locator("#plan-hint")).containsText("cannot change plans or limits");
            assertThat(page.locator("#plan-card form")).hasCount(0);
            Browser.shot(page, "support-08-account-support-dark");
        }
        assertThat(problems).as("what does not fit a 375 px phone").isEmpty();
    }
}
