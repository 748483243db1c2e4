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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 7 in real Chromium: the operator dashboard charts requests, error rate, latency p50/p99 and tokens
 * per model and per pool over the last hour and day, from real traffic through the gateway (completed, refused and
 * failed requests) plus an hour of earlier request-log rows; at desktop width in light and dark mode and at 375 px.
 * Screenshots: target/screenshots/dashboard-*.png.
 */
class DashboardIT {
    static PortalTestSupport.Running portal;
    static Browser browser;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.launchOrSkip();
        portal = PortalTestSupport.start();
        admin = new OperatorStore(portal.jdbi(), new SecureRandom())
                .issue("dash@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
        String key = portal.newKey("dashboard.traffic@example.com");
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 6; i++) {
            assertThat(chat(http, key, i % 3 == 0 ? "gemma-4" : "qwen").statusCode()).isEqualTo(200);
        }
        assertThat(chat(http, key, "no-such-model").statusCode()).isEqualTo(404);
        // the usage writer batches every few milliseconds: wait for the 7 rows before any page reads (and caches) them
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> portal.count("SELECT count(*) FROM request_logs") == 7);
        history();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal);
    }

    static HttpResponse<String> chat(HttpClient http, String key, String model) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An hour of earlier traffic on two models and two pools, with a burst of failures and a slow spell. */
    static void history() {
        Instant now = Instant.now();
        portal.jdbi().useHandle(h -> {
            var batch = h.prepareBatch("""
                    INSERT INTO request_logs (request_id, accepted_at, route, model_alias, user_id, status, http_status,
                        pool, target, latency_ms, prompt_tokens, completion_tokens, usage_recorded)
                    VALUES (:id, :at, '/v1/chat/completions', :model, 1, :status, :http, :pool, 'a', :latency, :pt, :ct,
                        :served)""");
            java.util.Random random = new java.util.Random(7);
            for (int minute = 2; minute < 60; minute++) {
                for (String model : new String[] {"qwen", "oss-120b"}) {
                    int n = model.equals("qwen") ? 8 + random.nextInt(6) : 3 + random.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        boolean failed = model.equals("oss-120b") && minute > 20 && minute < 26 && i == 0;
                        int latency = (model.equals("qwen") ? 400 : 1400) + random.nextInt(300)
                                + (minute > 40 && minute < 46 ? 1500 : 0) + (i == 0 ? 900 : 0);
                        int tokens = 60 + random.nextInt(400);
                        batch.bind("id", "req_hist_" + UUID.randomUUID()).bind("at", now.minusSeconds(minute * 60L + i))
                                .bind("model", model).bind("status", failed ? "failed" : "completed")
                                .bind("http", failed ? 502 : 200).bind("pool", model.equals("qwen") ? "default" : "gpu-east")
                                .bind("latency", latency).bind("pt", failed ? null : tokens / 4)
                                .bind("ct", failed ? null : tokens - tokens / 4).bind("served", !failed).add();
                    }
                }
            }
            batch.execute();
        });
    }

    static void signIn(Page page) {
        page.navigate(portal.baseUrl() + "/admin");
        page.getByLabel("Operator token").fill(admin);
        page.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
        assertThat(page).hasURL(portal.baseUrl() + "/admin");
    }

    /** Waits for the gateway's own requests to reach the request log (the usage writer batches them). */
    static void openDashboard(Page page, String window) {
        for (int i = 0; i < 50; i++) {
            page.navigate(portal.baseUrl() + "/admin/dashboard" + (window == null ? "" : "?window=" + window));
            if (page.locator("#models-table").textContent().contains("gemma-4")
                    && page.locator("#models-table").textContent().contains("no-such-model")) {
                return;
            }
            page.waitForTimeout(200);
        }
    }

    @Test
    void the_dashboard_charts_traffic_errors_latency_and_tokens_per_model_and_pool_for_the_last_hour_and_day() {
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            signIn(page);
            page.getByLabel("Console").getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Dashboard")
                    .setExact(true)).click();
            openDashboard(page, null);
            assertThat(page.getByRole(AriaRole.LINK, Browser.named("Last hour"))).hasAttribute("aria-current", "page");
            int total = Integer.parseInt(page.locator("#total-requests").textContent().replace(",", ""));
            assertThat(total).as("history plus the 7 real requests").isGreaterThan(400);
            assertThat(page.locator("#total-error-rate")).containsText("%");
            assertThat(page.locator("#total-p50")).containsText("ms");
            assertThat(page.locator("#total-p99")).containsText("s");

            for (String section : new String[] {"models", "pools"}) {
                for (String chart : new String[] {"requests", "errors", "latency", "tokens"}) {
                    Locator figure = page.locator("#" + section + "-" + chart);
                    assertThat(figure).isVisible();
                    assertThat(figure.locator("svg path.line").first()).isAttached();
                    assertThat(figure.locator("svg rect.hover")).hasCount(60);
                    assertThat(figure.locator(".x-axis span").first()).isVisible();
                }
            }
            assertThat(page.locator("#models .legend")).containsText("qwen");
            assertThat(page.locator("#models .legend")).containsText("latency: solid p50, dashed p99");
            assertThat(page.locator("#models-latency svg path.line.dashed").first()).isAttached();
            assertThat(page.locator("#models-table")).containsText("oss-120b");
            assertThat(page.locator("#models-table")).containsText("gemma-4");
            assertThat(page.locator("#pools-table")).containsText("gpu-east");
            assertThat(page.locator("#pools-table")).containsText("default");
            Locator svgLabel = page.locator("#models-requests svg");
            assertThat(svgLabel).hasAttribute("aria-label", java.util.regex.Pattern.compile("Requests per minute: qwen \\d+ requests.*"));
            BoundingBox plot = page.locator("#models-requests svg").boundingBox();
            assertThat(plot.height).as("a chart tall enough to read").isGreaterThanOrEqualTo(160);
            Browser.shot(page, "dashboard-01-hour");

            page.getByRole(AriaRole.LINK, Browser.named("Last day")).click();
            assertThat(page).hasURL(portal.baseUrl() + "/admin/dashboard?window=24h");
            assertThat(page.locator("#models-requests svg rect.hover")).hasCount(96);
            assertThat(page.locator("#models-requests figcaption")).hasText("Requests per 15 min");
            Browser.shot(page, "dashboard-02-day");

            page.navigate(portal.baseUrl() + "/admin/dashboard?window=1w");
            assertThat(page.locator("main")).containsText("window must be 1h or 24h");
        }
        try (BrowserContext dark = browser.newContext(1280, 860, ColorScheme.DARK)) {
            Page page = dark.newPage();
            signIn(page);
            openDashboard(page, null);
            String stroke = (String) page.evaluate("() => getComputedStyle(document.querySelector('#models-requests path.c0')).stroke");
            assertThat(stroke).as("light lines on the dark background").isEqualTo("rgb(126, 170, 255)");
            Browser.shot(page, "dashboard-03-dark");
        }
    }

    @Test
    void the_dashboard_fits_a_375_px_phone_with_readable_charts() {
        List<String> problems = new ArrayList<>();
        for (ColorScheme scheme : new ColorScheme[] {ColorScheme.LIGHT, ColorScheme.DARK}) {
            try (BrowserContext context = browser.newContext(PhoneWidthIT.WIDTH, PhoneWidthIT.HEIGHT, scheme)) {
                Page page = context.newPage();
                signIn(page);
                for (String window : new String[] {"1h", "24h"}) {
                    openDashboard(page, window);
                    String name = "dashboard-phone-" + window + "-" + scheme.name().toLowerCase(java.util.Locale.ROOT);
                    Browser.shot(page, name);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) page.evaluate(PhoneWidthIT.MEASURE);
                    if (((Number) m.get("scrollWidth")).intValue() > PhoneWidthIT.WIDTH) {
                        problems.add(name + " is " + m.get("scrollWidth") + " px wide: " + m.get("wide"));
                    }
                    BoundingBox box = page.locator("#models-requests").boundingBox();
                    assertThat(box.x).isGreaterThanOrEqualTo(0);
                    assertThat(box.x + box.width).isLessThanOrEqualTo(PhoneWidthIT.WIDTH);
                    assertThat(page.locator("#models-requests svg").boundingBox().height).isGreaterThanOrEqualTo(160);
                    double font = ((Number) page.evaluate(
                            "() => parseFloat(getComputedStyle(document.querySelector('#models-requests .y-axis span')).fontSize)"))
                            .doubleValue();
                    assertThat(font).as("axis labels are text, not a scaled-down drawing").isGreaterThanOrEqualTo(11);
                }
            }
        }
        assertThat(problems).as("what does not fit a 375 px phone").isEmpty();
    }
}
