package ai.cortensor.portal.portal;

import static ai.cortensor.portal.portal.Browser.named;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A session that ends on the server while the browser is on a page (revoked or deleted in {@code browser_sessions}):
 * the next navigation goes to sign-in with a notice, and signing in again returns to where the browser was going.
 */
class SessionExpiryIT {
    static PortalTestSupport.Running portal;
    static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        portal = PortalTestSupport.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal);
    }


    static int endSessions(String sql, String email) {
        return portal.jdbi().withHandle(h -> h.createUpdate(sql + " WHERE user_id = (SELECT id FROM users WHERE email = :e)")
                .bind("e", email).execute());
    }

    static void signInAgain(Page page, String email) {
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Your session has ended. Sign in again to continue.");
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
        page.getByRole(AriaRole.BUTTON, named("Sign in").setExact(true)).click();
    }

    @Test
    void a_revoked_session_sends_the_next_click_to_sign_in_and_back_to_that_page_afterwards() {
        String base = portal.baseUrl();
        String email = "revoked@example.com";
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, base, email);
            page.navigate(base + "/portal/usage?days=30");
            assertThat(page.getByRole(AriaRole.HEADING, named("Usage").setExact(true))).isVisible();

            assertThat(endSessions("UPDATE browser_sessions SET revoked_at = now()", email)).isEqualTo(1);
            page.getByRole(AriaRole.LINK, named("API keys")).click();
            page.waitForURL(base + "/signin?next=%2Fportal%2Fkeys&expired=1");
            Browser.shot(page, "session-01-ended-notice");
            signInAgain(page, email);
            page.waitForURL(base + "/portal/keys");
            assertThat(page.getByRole(AriaRole.HEADING, named("API keys").setLevel(1))).isVisible();
            assertThat(page.locator("header .who")).hasText(email);
        }
    }

    @Test
    void a_deleted_session_on_reload_returns_to_the_same_page_with_its_filters() {
        String base = portal.baseUrl();
        String email = "deleted@example.com";
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, base, email);
            page.navigate(base + "/portal/usage?days=30&model=qwen");
            assertThat(page.getByLabel("Range", new Page.GetByLabelOptions().setExact(true))).hasValue("30");

            assertThat(endSessions("DELETE FROM browser_sessions", email)).isEqualTo(1);
            page.reload();
            page.waitForURL(base + "/signin?next=%2Fportal%2Fusage%3Fdays%3D30%26model%3Dqwen&expired=1");
            signInAgain(page, email);
            page.waitForURL(base + "/portal/usage?days=30&model=qwen");
            assertThat(page.getByLabel("Range", new Page.GetByLabelOptions().setExact(true))).hasValue("30");
            assertThat(page.getByLabel("Model", new Page.GetByLabelOptions().setExact(true))).hasValue("qwen");
        }
    }

    @Test
    void a_form_sent_after_the_session_ended_saves_nothing_and_signing_in_returns_to_its_page() {
        String base = portal.baseUrl();
        String email = "late-form@example.com";
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, base, email);
            page.navigate(base + "/portal/keys");
            page.getByLabel("Name").fill("after-expiry");

            assertThat(endSessions("UPDATE browser_sessions SET revoked_at = now()", email)).isEqualTo(1);
            page.getByRole(AriaRole.BUTTON, named("Create key")).click();
            page.waitForURL(base + "/signin?next=%2Fportal%2Fkeys&expired=1");
            assertThat(portal.count("SELECT count(*) FROM api_keys WHERE name = 'after-expiry'")).isZero();
            signInAgain(page, email);
            page.waitForURL(base + "/portal/keys");
            assertThat(page.locator("main")).containsText("No keys yet");
        }
    }

    @Test
    void signing_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working() {
        String base = portal.baseUrl();
        PortalHttp browser = new PortalHttp(base).signUp("signout@example.com", PortalTestSupport.PASSWORD);
        PortalHttp copy = new PortalHttp(base);
        copy.setCookie("portal_session", browser.cookie("portal_session"));
        assertThat(copy.get("/portal/api/me").statusCode()).isEqualTo(200);

        HttpResponse<String> out = browser.post("/signout", Map.of());
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(out)).isEqualTo("/signin?signedout=1");
        assertThat(browser.cookie("portal_session")).isNull();

        assertThat(copy.get("/portal/api/me").statusCode()).isEqualTo(401);
        assertThat(PortalHttp.location(copy.get("/portal/keys"))).isEqualTo("/signin?next=%2Fportal%2Fkeys&expired=1");
        assertThat(portal.count("SELECT count(*) FROM browser_sessions s JOIN users u ON u.id = s.user_id "
                + "WHERE u.email = 'signout@example.com' AND s.revoked_at IS NULL")).isZero();
    }
}
