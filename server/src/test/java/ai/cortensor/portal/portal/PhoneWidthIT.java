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
import com.microsoft.playwright.options.BoundingBox;
import com.microsoft.playwright.options.ColorScheme;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every customer and operator page in a 375 × 812 window (a small phone): nothing is wider than the window, the
 * primary action of each list stays on screen, and the usage chart keeps a readable height. Screenshots of every
 * page land in target/screenshots/phone-*.png.
 */
class PhoneWidthIT {
    static final int WIDTH = 375;
    static final int HEIGHT = 812;
    /** What sticks out past the right edge of the window, outside a box that scrolls on its own. */
    static final String MEASURE = """
            () => {
              const inScroller = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
              const wide = [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5 && !inScroller(e))
                .slice(0, 6).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\\s+/g, '.') : '')
                  + ' right=' + Math.round(e.getBoundingClientRect().right));
              return { scrollWidth: document.documentElement.scrollWidth, innerWidth, wide: wide.join(', ') };
            }""";

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

    /** Pages wider than the phone and actions off screen, reported together at the end of a test. */
    final List<String> problems = new ArrayList<>();

    /** Screenshots the page and notes it when anything on it is wider than the phone. */
    void fits(Page page, String name) {
        Browser.shot(page, "phone-" + name);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) page.evaluate(MEASURE);
        if (((Number) m.get("scrollWidth")).intValue() > WIDTH) {
            problems.add(name + " (" + page.url() + ") is " + m.get("scrollWidth") + " px wide; sticking out: " + m.get("wide"));
        }
    }

    void allFit() {
        assertThat(problems).as("what does not fit a %d px phone", WIDTH).isEmpty();
    }

    /** Notes it unless the element is shown wholly inside the window's width (scrolling down to it is fine). */
    void onScreen(Locator l, String what) {
        l.scrollIntoViewIfNeeded();
        assertThat(l).isVisible();
        BoundingBox box = l.boundingBox();
        if (box.x < 0 || box.x + box.width > WIDTH) {
            problems.add(what + " is off screen: from x=" + Math.round(box.x) + " to " + Math.round(box.x + box.width));
        }
    }

    @Test
    void every_customer_page_fits_a_375_px_phone_and_revoke_stays_on_screen() {
        String base = portal.baseUrl();
        try (BrowserContext context = browser.newContext(WIDTH, HEIGHT, ColorScheme.LIGHT)) {
            Page page = context.newPage();
            for (String p : new String[] {"signin", "signup", "forgot-password"}) {
                page.navigate(base + "/" + p);
                fits(page, p);
            }
            PortalTestSupport.signUp(page, base, "a.rather.long.address.for.a.phone@example.com");
            fits(page, "overview");

            page.navigate(base + "/portal/keys");
            page.getByLabel("Name").fill("production-server-eu-west-1");
            page.getByRole(AriaRole.BUTTON, Browser.named("Create key")).click();
            String key = page.locator("#new-key").inputValue();
            fits(page, "key-created");
            String requestId = portal.chat(key).headers().firstValue("x-request-id").orElseThrow();
            page.navigate(base + "/portal/keys");
            fits(page, "keys");
            Locator revoke = page.locator("#keys-table tr", new Page.LocatorOptions().setHasText("production-server"))
                    .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Revoke"));
            onScreen(revoke, "Revoke on the keys page");
            revoke.click();
            fits(page, "revoke-confirm");
            onScreen(page.getByRole(AriaRole.BUTTON, Browser.named("Revoke key")), "the Revoke key button");

            page.navigate(base + "/portal/usage");
            for (int i = 0; i < 50 && !page.locator("#recent-table").isVisible(); i++) {
                page.waitForTimeout(200); // the usage writer batches every few milliseconds
                page.reload();
            }
            assertThat(page.locator("#recent-table")).containsText(requestId);
            page.waitForFunction("() => window.Chart && document.querySelector('#usage-chart').width > 0");
            fits(page, "usage");
            assertThat(page.locator("#usage-chart").boundingBox().height)
                    .as("the usage chart is tall enough to read on a phone").isGreaterThanOrEqualTo(200);

            for (String p : new String[] {"models", "quickstart", "playground", "billing", "profile", "no-such-page", "team"}) {
                page.navigate(base + "/portal/" + p);
                fits(page, p);
            }
            page.locator("#org-name").fill("Acme Research Laboratories International");
            page.getByRole(AriaRole.BUTTON, Browser.named("Create organization")).click();
            page.locator("#invite-email").fill("a.new.colleague.with.a.long.name@example.com");
            page.getByRole(AriaRole.BUTTON, Browser.named("Send invitation")).click();
            assertThat(page.locator("#members-table")).isVisible();
            fits(page, "team-organization");
        }
        allFit();
    }

    @Test
    void every_operator_console_page_fits_a_375_px_phone_and_revoke_stays_on_screen() {
        String base = portal.baseUrl();
        String email = "operator.phone.customer@example.com";
        String key = portal.newKey(email);
        String requestId = portal.chat(key).headers().firstValue("x-request-id").orElseThrow();
        long user = portal.jdbi().withHandle(h -> h.createQuery("SELECT id FROM users WHERE email = :e")
                .bind("e", email).mapTo(Long.class).one());
        long keyId = portal.jdbi().withHandle(h -> h.createQuery("SELECT id FROM api_keys WHERE user_id = :u")
                .bind("u", user).mapTo(Long.class).one());
        String token = new OperatorStore(portal.jdbi(), new SecureRandom())
                .issue("phone-ops@example.com", Role.ADMIN, Actor.system("test"), "test setup").token();
        try (BrowserContext context = browser.newContext(WIDTH, HEIGHT, ColorScheme.LIGHT)) {
            Page page = context.newPage();
            page.navigate(base + "/admin");
            fits(page, "admin-signin");
            page.getByLabel("Operator token").fill(token);
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
            assertThat(page).hasURL(base + "/admin");
            fits(page, "admin-find");
            page.navigate(base + "/admin?q=" + email);
            fits(page, "admin-found");

            page.navigate(base + "/admin/accounts/u" + user);
            fits(page, "admin-account");
            onScreen(page.locator("#keys").getByRole(AriaRole.BUTTON).first(), "Revoke on the account page");
            page.navigate(base + "/admin/keys/" + keyId);
            fits(page, "admin-key");
            onScreen(page.getByRole(AriaRole.BUTTON, Browser.named("Revoke key")), "Revoke key on the key page");
            page.getByLabel("Reason").fill("a reason long enough to wrap on a small phone screen, as real ones do");
            page.getByRole(AriaRole.BUTTON, Browser.named("Revoke key")).click();
            assertThat(page.locator("#done")).containsText("api_key.revoke");
            fits(page, "admin-key-revoked");

            for (String p : new String[] {"requests", "requests/" + requestId, "pools", "models/qwen", "billing",
                    "billing/spend", "billing/reconcile", "accounts/u" + user + "/ledger", "no-such-page", "audit"}) {
                page.navigate(base + "/admin/" + p);
                fits(page, "admin-" + p.replace('/', '-').replaceAll("-req_.*", "-one").replaceAll("-u\\d+-", "-"));
            }
            onScreen(page.locator("#audit tbody tr").first(), "the newest audit entry");
        }
        allFit();
    }
}
