package ai.cortensor.portal.portal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A customer whose account an operator pauses, in real Chromium at desktop width and at 375 px: the session goes on
 * (no "Your session has ended"), every page says the account is paused, since when, the operator's reason and the
 * support address; the overview still shows usage and spend to date; creating a key and the playground are refused
 * with that explanation, in the browser and over HTTP; signing out and in again lands on the same read-only portal
 * instead of a dead end. Screenshots: target/screenshots/paused-*.png.
 */
class PausedCustomerIT {
    static final String SUPPORT = "help@cortensor.test";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static PortalTestSupport.Running portal;
    static Browser browser;
    static String operator;

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        portal = PortalTestSupport.start(Map.of("portal.support-email", SUPPORT));
        operator = new OperatorStore(portal.jdbi(), new SecureRandom())
                .issue("root@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal);
    }

    @Test
    void a_paused_customer_keeps_a_read_only_portal_that_says_why_and_whom_to_ask_at_desktop_and_phone_width()
            throws Exception {
        String email = "paused-journey@example.com";
        try (BrowserContext desktop = browser.newContext()) {
            Page page = desktop.newPage();
            PortalTestSupport.signUp(page, portal.baseUrl(), email);
            page.navigate(portal.baseUrl() + "/portal/keys");
            page.getByLabel("Name").fill("laptop");
            page.getByRole(AriaRole.BUTTON, Browser.named("Create key")).click();
            String token = page.locator("#new-key").inputValue().trim();
            // the highest price the catalog allows, so a few requests cost more than a rounding error
            portal.jdbi().useHandle(h -> h.execute(
                    "UPDATE models SET prompt_price = 1000000000, completion_price = 1000000000 WHERE alias = 'qwen'"));
            await().atMost(Duration.ofSeconds(5)).until(() -> portal.portal().catalog().find("qwen").orElseThrow()
                    .promptPrice() == 1_000_000_000L);
            for (int i = 0; i < 2; i++) {
                assertThat(chat(token).statusCode()).isEqualTo(200);
            }
            long user = portal.count("SELECT id FROM users WHERE email = '" + email + "'");
            await().atMost(Duration.ofSeconds(10)).until(() -> portal.count(
                    "SELECT count(*) FROM usage_events WHERE user_id = " + user) == 2);

            HttpResponse<String> paused = admin("/admin/api/accounts/u" + user + "/pause",
                    "{\"reason\":\"Card declined: please update your payment method\"}");
            assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
            assertThat(chat(token).statusCode()).isEqualTo(403);

            // the same session goes on, now read-only, and says why
            page.navigate(portal.baseUrl() + "/portal");
            assertThat(page).hasURL(portal.baseUrl() + "/portal");
            assertThat(page.locator("#paused-banner")).containsText("Your account is paused");
            assertThat(page.locator("#paused-reason")).hasText("Card declined: please update your payment method");
            assertThat(page.locator("#paused-since")).containsText("UTC");
            assertThat(page.locator("#paused-support a")).hasAttribute("href", "mailto:" + SUPPORT);
            assertThat(page.locator("#blocked-reasons")).containsText("account_paused");
            assertThat(page.locator("#spend-requests")).hasText("2");
            long tokens = portal.count("SELECT sum(total_tokens) FROM usage_events WHERE user_id = " + user);
            long cost = portal.count("SELECT sum(cost_micros) FROM usage_events WHERE user_id = " + user);
            assertThat(cost).as("1,000 USD per million tokens: 1,000 micro-USD a token").isEqualTo(tokens * 1000);
            String spend = ai.cortensor.portal.billing.Money.usd(cost);
            assertThat(page.locator("#spend-tokens")).hasText(String.valueOf(tokens));
            assertThat(page.locator("#spend-usage")).hasText(spend);
            assertThat(page.locator("#spend-total")).hasText(spend);
            Browser.shot(page, "paused-overview-desktop");

            page.navigate(portal.baseUrl() + "/portal/usage");
            assertThat(page.locator("#paused-banner")).isVisible();
            page.navigate(portal.baseUrl() + "/portal/keys");
            assertThat(page.locator("#create-paused")).isVisible();
            assertThat(page.locator("#keys-table")).containsText("laptop");
            Browser.shot(page, "paused-keys-desktop");

            page.navigate(portal.baseUrl() + "/portal/playground");
            assertThat(page.locator("#pg-send")).isDisabled();
            assertThat(page.locator("#playground-paused")).isVisible();
            Browser.shot(page, "paused-playground-desktop");

            // what the browser hides is refused by the server too, saying why
            String csrf = desktop.cookies().stream().filter(c -> c.name.equals("portal_csrf")).findFirst().orElseThrow().value;
            var created = page.request().post(portal.baseUrl() + "/portal/keys", com.microsoft.playwright.options.RequestOptions
                    .create().setForm(com.microsoft.playwright.options.FormData.create().set("_csrf", csrf)
                            .set("name", "sneaky")));
            assertThat(created.status()).isEqualTo(403);
            assertThat(created.text()).contains("paused").contains(SUPPORT).contains("Card declined");
            var played = page.request().post(portal.baseUrl() + "/portal/api/playground/chat",
                    com.microsoft.playwright.options.RequestOptions.create().setHeader("X-CSRF-Token", csrf)
                            .setHeader("Content-Type", "application/json")
                            .setData("{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
            assertThat(played.status()).isEqualTo(403);
            assertThat(played.text()).contains("\"code\":\"account_paused\"").contains(SUPPORT);
            var org = page.request().post(portal.baseUrl() + "/portal/team/organizations",
                    com.microsoft.playwright.options.RequestOptions.create().setForm(
                            com.microsoft.playwright.options.FormData.create().set("_csrf", csrf).set("name", "Escape Ltd")));
            assertThat(org.status()).as("no new account to get around the pause").isEqualTo(403);
            assertThat(portal.count("SELECT count(*) FROM api_keys WHERE name = 'sneaky'")).isZero();
            assertThat(portal.count("SELECT count(*) FROM organizations WHERE name = 'Escape Ltd'")).isZero();

            // signing out and in again: the read-only portal, not a dead end
            page.navigate(portal.baseUrl() + "/portal");
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign out")).click();
            page.navigate(portal.baseUrl() + "/signin");
            page.getByLabel("Email").fill(email);
            page.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
            page.waitForURL("**/portal");
            assertThat(page.locator("#paused-banner")).containsText("Card declined");
            assertThat(page.content()).doesNotContain("Your session has ended");
        }

        try (BrowserContext phone = browser.newContext(375, 812, ColorScheme.LIGHT)) {
            Page page = phone.newPage();
            page.navigate(portal.baseUrl() + "/signin");
            page.getByLabel("Email").fill(email);
            page.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
            page.waitForURL("**/portal");
            assertThat(page.locator("#paused-banner")).isVisible();
            assertThat(page.locator("#spend")).isVisible();
            Browser.shot(page, "paused-overview-phone");
            assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue())
                    .as("the paused overview fits a 375 px phone").isLessThanOrEqualTo(375);
            page.navigate(portal.baseUrl() + "/portal/keys");
            Browser.shot(page, "paused-keys-phone");
            assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue())
                    .isLessThanOrEqualTo(375);
        }

        HttpResponse<String> unpaused = admin("/admin/api/accounts/u" + portal.count(
                "SELECT id FROM users WHERE email = '" + email + "'") + "/unpause", "{\"reason\":\"card updated\"}");
        assertThat(unpaused.statusCode()).isEqualTo(200);
        try (BrowserContext again = browser.newContext()) {
            Page page = again.newPage();
            page.navigate(portal.baseUrl() + "/signin");
            page.getByLabel("Email").fill(email);
            page.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
            page.waitForURL("**/portal");
            assertThat(page.locator("#paused-banner")).hasCount(0);
            page.navigate(portal.baseUrl() + "/portal/keys");
            assertThat(page.getByRole(AriaRole.BUTTON, Browser.named("Create key"))).isEnabled();
        }
    }

    static HttpResponse<String> chat(String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> admin(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + path))
                .header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
