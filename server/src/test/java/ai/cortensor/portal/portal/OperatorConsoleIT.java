package ai.cortensor.portal.portal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator console in real Chromium: sign in with an operator token, find a user by key prefix, revoke the key
 * with a reason, see the audit entry, and the gateway refuses the key. Support sees only what support may do.
 */
class OperatorConsoleIT {
    static PortalTestSupport.Running portal;
    static Browser browser;
    static String admin;
    static String support;

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        portal = PortalTestSupport.start();
        OperatorStore operators = new OperatorStore(portal.jdbi(), new SecureRandom());
        admin = operators.issue("ops@example.com", Role.ADMIN, Actor.system("test"), "test setup").token();
        support = operators.issue("desk@example.com", Role.SUPPORT, Actor.system("test"), "test setup").token();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal);
    }

    static void signIn(Page page, String token) {
        page.navigate(portal.baseUrl() + "/admin");
        assertThat(page).hasURL(portal.baseUrl() + "/admin/signin?next=%2Fadmin");
        page.getByLabel("Operator token").fill(token);
        page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
        assertThat(page).hasURL(portal.baseUrl() + "/admin");
    }

    @Test
    void operator_finds_a_user_by_key_prefix_revokes_the_key_sees_the_audit_entry_and_the_key_is_rejected() {
        String key = portal.newKey("leaky@example.com");
        String prefix = key.substring(0, 17);
        assertThat(portal.chat(key).statusCode()).isEqualTo(200);
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            page.navigate(portal.baseUrl() + "/admin");
            Browser.shot(page, "admin-01-signin");
            page.getByLabel("Operator token").fill("ctop_not_a_token");
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
            assertThat(page.locator("#signin-error")).containsText("not a valid operator token");
            page.getByLabel("Operator token").fill(admin);
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
            assertThat(page).hasURL(portal.baseUrl() + "/admin");
            assertThat(page.locator(".who")).containsText("ops@example.com");

            page.locator("#q").fill(prefix.substring(0, 12));
            page.getByRole(AriaRole.BUTTON, Browser.named("Find").setExact(true)).last().click();
            assertThat(page.locator("#hits")).containsText(prefix);
            assertThat(page.locator("#hits")).containsText("leaky@example.com");
            Browser.shot(page, "admin-02-search");

            page.locator("#hits").getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("leaky@example.com")).click();
            assertThat(page.getByRole(AriaRole.HEADING, Browser.named("leaky@example.com active"))).isVisible();
            assertThat(page.locator("#why-blocked")).containsText("Nothing blocks");
            assertThat(page.locator("#limits")).isVisible();
            Browser.shot(page, "admin-03-account");

            Locator row = page.locator("#keys tr[data-key='" + prefix + "']");
            row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Revoke " + prefix)).click();
            // the browser insists on a reason before anything is sent
            assertThat(row.locator(".pill")).hasText("active");
            row.getByLabel("Reason to revoke " + prefix).fill("leaked in a public gist");
            row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Revoke " + prefix)).click();
            assertThat(page.locator("#notice")).containsText("Done");
            assertThat(page.locator("#done")).containsText("api_key.revoke");
            assertThat(page.locator("#done")).containsText("leaked in a public gist");
            assertThat(page.locator("#keys tr[data-key='" + prefix + "'] .pill")).hasText("revoked");
            Browser.shot(page, "admin-04-revoked");

            page.getByRole(AriaRole.LINK, Browser.named("Audit log")).click();
            Locator entry = page.locator("#audit tbody tr").first();
            assertThat(entry).containsText("api_key.revoke");
            assertThat(entry).containsText("ops@example.com");
            assertThat(entry).containsText("leaked in a public gist");
            assertThat(entry).containsText(prefix);
            Browser.shot(page, "admin-05-audit");

            page.navigate(portal.baseUrl() + "/admin/requests?status=completed");
            assertThat(page.locator("#requests")).containsText("completed");
            Browser.shot(page, "admin-06-requests");
            page.locator("#requests tbody tr").first().getByRole(AriaRole.LINK).first().click();
            assertThat(page.locator("#lifecycle")).containsText("accepted");
            assertThat(page.locator("#lifecycle")).containsText("forwarded");
            Browser.shot(page, "admin-07-request");
            page.getByRole(AriaRole.LINK, Browser.named("Pools & models")).click();
            assertThat(page.locator("[data-pool-state=default]")).isVisible();
            assertThat(page.content()).doesNotContain("127.0.0.1:").doesNotContain("sim-router-secret");
            Browser.shot(page, "admin-08-pools");

            String content = page.content();
            assertThat(content).doesNotContain(key.substring(18));
        }
        var refused = portal.chat(key);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("revoked_api_key");
    }

    @Test
    void support_sees_revoke_and_pause_but_no_unpause_and_no_pool_or_model_controls() {
        String key = portal.newKey("helped@example.com");
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            signIn(page, support);
            page.locator("#q").fill("helped@example.com");
            page.getByRole(AriaRole.BUTTON, Browser.named("Find").setExact(true)).last().click();
            page.locator("#hits").getByRole(AriaRole.LINK).first().click();
            assertThat(page.getByRole(AriaRole.BUTTON, Browser.named("Revoke " + key.substring(0, 17)))).isVisible();
            page.getByLabel("Reason", new Page.GetByLabelOptions().setExact(true)).fill("chargeback pending");
            page.getByRole(AriaRole.BUTTON, Browser.named("Pause account")).click();
            assertThat(page.locator("#account-state")).hasText("paused");
            assertThat(page.locator("#paused-why")).containsText("desk@example.com");
            assertThat(page.locator("#paused-why")).containsText("chargeback pending");
            assertThat(page.locator("#why-blocked")).containsText("account_paused");
            assertThat(page.getByRole(AriaRole.BUTTON, Browser.named("Unpause account"))).hasCount(0);
            assertThat(page.locator("#unpause-hint")).isVisible();
            Browser.shot(page, "admin-09-support-paused");

            page.getByRole(AriaRole.LINK, Browser.named("Pools & models")).click();
            assertThat(page.locator("#readonly-hint")).isVisible();
            assertThat(page.locator("main form")).hasCount(0);
            Browser.shot(page, "admin-10-support-pools");
        }
        assertThat(portal.chat(key).body()).contains("account_paused");
    }
}
