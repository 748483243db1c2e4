package ai.cortensor.portal.portal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.plans.AdmissionControl;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The finish of the customer portal in real Chromium: dark mode, the favicon, HTML 404 pages, the blocked-state
 * warning, copyable model ids, the signed-out confirmation and post/redirect/get on a password change.
 */
class LookAndFeelIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Elements of the page whose background is light (relative luminance above 0.3), transparent ones aside. */
    static final String LIGHT_BACKGROUNDS = """
            (selector) => {
              const lum = (c) => { const v = c.match(/[\\d.]+/g).map(Number); if (v.length > 3 && v[3] === 0) return null;
                const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
                return 0.2126 * f(v[0]) + 0.7152 * f(v[1]) + 0.0722 * f(v[2]); };
              return [...document.querySelectorAll(selector)]
                .filter((e) => { const l = lum(getComputedStyle(e).backgroundColor); return l !== null && l > 0.3; })
                .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className);
            }""";
    static final String SURFACES = "html, body, .top, nav, main, .card, table.grid, .grid th, .grid td, .notice, code, "
            + "input:not([type=hidden]), select, textarea, button:not(.primary):not(.danger-button), .pill";

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

    static long userId(String email) {
        return portal.jdbi().withHandle(h -> h.createQuery("SELECT id FROM users WHERE email = :e").bind("e", email)
                .mapTo(Long.class).one());
    }

    static HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(portal.baseUrl() + path)).GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    static List<String> lightBackgrounds(Page page) {
        return (List<String>) page.evaluate(LIGHT_BACKGROUNDS, SURFACES);
    }

    @Test
    void pages_turn_dark_when_the_system_prefers_a_dark_colour_scheme() {
        String base = portal.baseUrl();
        try (BrowserContext context = browser.newContext(1280, 860, ColorScheme.DARK)) {
            Page page = context.newPage();
            page.navigate(base + "/signin");
            assertThat(lightBackgrounds(page)).as("light surfaces on the dark sign-in page").isEmpty();
            Browser.shot(page, "dark-signin");
            PortalTestSupport.signUp(page, base, "night-owl@example.com");
            page.navigate(base + "/portal/keys");
            page.getByLabel("Name").fill("night-shift");
            page.getByRole(AriaRole.BUTTON, Browser.named("Create key")).click();
            portal.chat(page.locator("#new-key").inputValue());
            assertThat(lightBackgrounds(page)).as("light surfaces on the dark keys page").isEmpty();
            Browser.shot(page, "dark-keys");
            for (String p : new String[] {"", "/usage", "/models", "/quickstart", "/profile"}) {
                page.navigate(base + "/portal" + p);
                assertThat(lightBackgrounds(page)).as("light surfaces on the dark page /portal%s", p).isEmpty();
            }
            Browser.shot(page, "dark-profile");
            page.navigate(base + "/admin/signin");
            assertThat(lightBackgrounds(page)).as("light surfaces on the dark console sign-in").isEmpty();
            Browser.shot(page, "dark-admin-signin");
        }
    }

    @Test
    void every_page_links_the_svg_favicon_which_is_served_as_svg() throws Exception {
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            for (String p : new String[] {"/signin", "/signup", "/admin/signin", "/portal/no-such-page"}) {
                page.navigate(portal.baseUrl() + p);
                assertThat(page.locator("link[rel=icon]")).hasAttribute("href", "/static/favicon.svg");
                assertThat(page.locator("link[rel=icon]")).hasAttribute("type", "image/svg+xml");
            }
            PortalTestSupport.signUp(page, portal.baseUrl(), "favicon@example.com");
            assertThat(page.locator("link[rel=icon]")).hasAttribute("href", "/static/favicon.svg");
        }
        HttpResponse<String> icon = get("/static/favicon.svg", null);
        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(icon.headers().firstValue("content-type")).hasValue("image/svg+xml");
        assertThat(icon.body()).startsWith("<svg").contains("viewBox");
    }

    @Test
    void unknown_browser_paths_get_a_styled_404_page_and_api_paths_keep_their_json_errors() throws Exception {
        String base = portal.baseUrl();
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            Response signedOut = page.navigate(base + "/portal/no-such-page");
            assertThat(signedOut.status()).isEqualTo(404);
            assertThat(signedOut.headerValue("content-type")).startsWith("text/html");
            assertThat(page.getByRole(AriaRole.HEADING, Browser.named("Page not found"))).isVisible();
            assertThat(page.locator("main")).containsText("/portal/no-such-page");
            Browser.shot(page, "404-signed-out");

            PortalTestSupport.signUp(page, base, "lost@example.com");
            Response signedIn = page.navigate(base + "/portal/keys/oops/more");
            assertThat(signedIn.status()).isEqualTo(404);
            assertThat(page.getByRole(AriaRole.HEADING, Browser.named("Page not found"))).isVisible();
            assertThat(page.getByRole(AriaRole.NAVIGATION, Browser.named("Main"))).isVisible(); // the usual layout
            Browser.shot(page, "404-signed-in");
            page.getByRole(AriaRole.LINK, Browser.named("Go to the overview")).click();
            assertThat(page).hasURL(base + "/portal");

            Response elsewhere = page.navigate(base + "/pricing");
            assertThat(elsewhere.status()).isEqualTo(404);
            assertThat(elsewhere.headerValue("content-type")).startsWith("text/html");
            assertThat(page.getByRole(AriaRole.HEADING, Browser.named("Page not found"))).isVisible();
        }
        String html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        for (String api : new String[] {"/v1/no-such-endpoint", "/portal/api/no-such-endpoint"}) {
            HttpResponse<String> r = get(api, html);
            assertThat(r.statusCode()).as(api).isEqualTo(404);
            assertThat(r.headers().firstValue("content-type")).as(api).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        }
        HttpResponse<String> admin = get("/admin/api/no-such-endpoint", html);
        assertThat(admin.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        HttpResponse<String> curl = get("/pricing", "*/*"); // not a browser: the API's JSON answer
        assertThat(curl.statusCode()).isEqualTo(404);
        assertThat(curl.body()).contains("unknown_url");
    }

    @Test
    void the_blocked_state_is_a_warning_card_and_says_when_usage_frees_up_in_days_and_hours() {
        String base = portal.baseUrl();
        portal.jdbi().useHandle(h -> h.execute("INSERT INTO plans (code, name, limits) VALUES ('tiny-look', 'Tiny', "
                + "'{\"weekly_requests\": 1}'::jsonb)"));
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, base, "blocked@example.com");
            long user = userId("blocked@example.com");
            portal.portal().admission().changePlan(new AdmissionControl.AccountRef(user, null), "tiny-look");
            String key = portal.portal().keys().issue("only", user, null, null).token();
            assertThat(portal.chat(key).statusCode()).isEqualTo(200);
            assertThat(portal.chat(key).statusCode()).isEqualTo(429);

            page.navigate(base + "/portal");
            var blocked = page.locator("section", new Page.LocatorOptions().setHas(page.locator("#blocked-h")));
            assertThat(blocked).containsText("insufficient_quota");
            assertThat(blocked).containsText(java.util.regex.Pattern.compile("frees up in [67] d( \\d{1,2} h)?;"));
            assertThat(page.locator("main")).not().containsText(java.util.regex.Pattern.compile("\\d+h\\d+m"));
            var plan = page.locator("section", new Page.LocatorOptions().setHas(page.locator("#plan-h")));
            String card = (String) plan.evaluate("e => getComputedStyle(e).backgroundColor");
            assertThat((String) blocked.evaluate("e => getComputedStyle(e).backgroundColor"))
                    .as("the blocked card stands out from the other cards").isNotEqualTo(card);
            assertThat((String) blocked.evaluate("e => getComputedStyle(e).borderLeftColor"))
                    .as("the blocked card has the warning colour").isEqualTo("rgb(208, 140, 0)");
            Browser.shot(page, "overview-blocked");
        }
    }

    @Test
    void a_model_id_is_copied_by_its_button_or_selected_by_a_click_where_the_clipboard_is_unavailable() {
        String base = portal.baseUrl();
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, base, "copier@example.com");
            page.navigate(base + "/portal/models");
            page.getByRole(AriaRole.BUTTON, Browser.named("Copy model id oss-120b")).click();
            assertThat(page.getByRole(AriaRole.BUTTON, Browser.named("Copy model id oss-120b"))).hasText("Copied");
            assertThat((String) page.evaluate("() => navigator.clipboard.readText()")).isEqualTo("oss-120b");
            Browser.shot(page, "models-copy");
        }
        try (BrowserContext context = browser.newContext()) {
            // a portal reached over plain HTTP on another host has no navigator.clipboard
            context.addInitScript("Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined })");
            Page page = context.newPage();
            page.navigate(base + "/signin");
            page.getByLabel("Email").fill("copier@example.com");
            page.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in").setExact(true)).click();
            page.navigate(base + "/portal/models");
            page.getByRole(AriaRole.BUTTON, Browser.named("Copy model id gemma-4")).click();
            assertThat((String) page.evaluate("() => getSelection().toString()")).isEqualTo("gemma-4");
            page.evaluate("() => getSelection().removeAllRanges()");
            page.locator("#models-table code", new Page.LocatorOptions().setHasText("qwen")).click();
            assertThat((String) page.evaluate("() => getSelection().toString()")).isEqualTo("qwen");
        }
    }

    @Test
    void the_audit_log_reads_at_1366_px_with_wrapped_cells_and_no_sideways_scrolling() throws Exception {
        String email = "audited.customer.with.a.long.address@example.com";
        String key = portal.newKey(email);
        String token = new ai.cortensor.portal.admin.OperatorStore(portal.jdbi(), new java.security.SecureRandom())
                .issue("auditor.on.duty@example.com", ai.cortensor.portal.admin.Role.ADMIN,
                        ai.cortensor.portal.audit.Actor.system("test"), "test setup").token();
        String reason = "\"customer reported the key in a public GitHub repository; rotating per incident runbook step 4\"";
        for (String[] call : new String[][] {
                {"/admin/api/keys/" + key.substring(0, 17) + "/revoke", "{\"reason\": " + reason + "}"},
                {"/admin/api/models/qwen/pools", "{\"pools\": [\"default\"], \"reason\": \"map qwen to the default pool again after the maintenance window\"}"},
                {"/admin/api/pools/default/drain", "{\"reason\": \"draining for the router upgrade to v3.2\"}"},
                {"/admin/api/pools/default/resume", "{\"reason\": \"upgrade done\"}"},
                {"/admin/api/accounts/u" + userId(email) + "/pause", "{\"reason\": " + reason + "}"}}) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + call[0]))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(call[1])).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(call[0] + ": " + r.body()).isEqualTo(200);
        }
        try (BrowserContext context = browser.newContext(1366, 768, ColorScheme.LIGHT)) {
            Page page = context.newPage();
            page.navigate(portal.baseUrl() + "/admin/signin");
            page.getByLabel("Operator token").fill(token);
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
            page.navigate(portal.baseUrl() + "/admin/audit");
            Browser.shot(page, "audit-1366");
            @SuppressWarnings("unchecked")
            var m = (java.util.Map<String, Object>) page.evaluate("""
                    () => { const t = document.querySelector('#audit');
                      const widths = [...t.querySelectorAll('thead th')].map((th) => th.getBoundingClientRect().width);
                      const spill = [...t.querySelectorAll('td')].filter((td) => td.scrollWidth > td.clientWidth + 1)
                        .map((td) => td.textContent.trim().slice(0, 40));
                      return { table: t.scrollWidth, box: t.parentElement.clientWidth, reason: widths[5],
                               change: widths[6], spill: spill.join(' | ') }; }""");
            assertThat(((Number) m.get("table")).intValue()).as("no sideways scrolling").isLessThanOrEqualTo(
                    ((Number) m.get("box")).intValue());
            assertThat(((Number) m.get("reason")).doubleValue()).as("the Reason column reads as prose").isGreaterThanOrEqualTo(200);
            assertThat(((Number) m.get("change")).doubleValue()).as("the Change column fits a few fields a line").isGreaterThanOrEqualTo(240);
            assertThat((String) m.get("spill")).as("cells whose text runs past them").isEmpty();
            assertThat(page.locator("#audit tbody tr", new Page.LocatorOptions().setHasText("api_key.revoke")))
                    .containsText("{\"state\": \"active\", \"prefix\": "); // wraps between fields
        }
    }

    @Test
    void signing_out_lands_on_sign_in_saying_you_are_signed_out() {
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, portal.baseUrl(), "leaving@example.com");
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign out")).click();
            assertThat(page).hasURL(portal.baseUrl() + "/signin?signedout=1");
            assertThat(page.getByRole(AriaRole.STATUS)).hasText("You are signed out.");
            assertThat(page.getByRole(AriaRole.HEADING, Browser.named("Sign in"))).isVisible();
            Browser.shot(page, "signed-out");
        }
    }

    @Test
    void a_password_change_redirects_to_the_profile_so_a_reload_does_not_send_it_again() {
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, portal.baseUrl(), "rotate@example.com");
            page.navigate(portal.baseUrl() + "/portal/profile");
            page.getByLabel("Current password").fill(PortalTestSupport.PASSWORD);
            page.getByLabel("New password").fill("a brand new passphrase");
            page.getByRole(AriaRole.BUTTON, Browser.named("Save password")).click();
            assertThat(page).hasURL(portal.baseUrl() + "/portal/profile?password=saved");
            assertThat(page.getByRole(AriaRole.STATUS)).hasText("Password saved. Other sessions were signed out.");
            Browser.shot(page, "profile-password-saved");
            Response again = page.reload();
            assertThat(again.request().method()).isEqualTo("GET");
            assertThat(again.status()).isEqualTo(200);
        }
        assertThat(new PortalHttp(portal.baseUrl()).post("/signin", java.util.Map.of("email", "rotate@example.com",
                "password", "a brand new passphrase")).statusCode()).isEqualTo(303);
    }
}
