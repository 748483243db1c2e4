package ai.cortensor.portal.portal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.PortalTestSupport;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core journey in a real browser: sign up → create key → copy it → read the quickstart → first request with
 * the OpenAI Java SDK → see it on the usage page → revoke. Screenshots of every page are kept.
 */
class CustomerJourneyIT {
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

    @Test
    void new_user_signs_up_creates_a_key_calls_the_api_and_sees_the_request_on_the_usage_page() {
        long started = System.nanoTime();
        String base = portal.baseUrl();
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            page.navigate(base + "/signup");
            Browser.shot(page, "01-signup");
            page.getByLabel("Email").fill("journey@example.com");
            page.getByLabel("Password").fill("correct horse battery");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create account")).click();

            assertThat(page).hasURL(base + "/portal?welcome=1");
            assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Overview"))).isVisible();
            assertThat(page.locator("#allowance-percent")).hasText("0%");
            Browser.shot(page, "02-overview");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Create an API key")).click();
            page.getByLabel("Name").fill("laptop");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create key")).click();
            assertThat(page.getByText("you won't see it again")).isVisible();
            String key = page.locator("#new-key").inputValue();
            assertThat(key).matches("ctsr_\\w{12}_\\w{40}");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Copy")).click();
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Copied"))).isVisible();
            String copied = (String) page.evaluate("() => navigator.clipboard.readText()");
            assertThat(copied).isEqualTo(key);
            Browser.shot(page, "03-key-created");

            page.reload(); // the secret is shown once: never again
            assertThat(page.content()).doesNotContain(key.substring(18));
            assertThat(page.locator("#keys-table")).containsText("laptop");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Quickstart")).click();
            assertThat(page.locator("#base-url")).hasText(base + "/v1");
            assertThat(page.locator("#snippet-curl")).containsText("\"model\": \"qwen\"");
            Browser.shot(page, "04-quickstart");

            OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(copied).maxRetries(0).build();
            var response = sdk.chat().completions().withRawResponse().create(ChatCompletionCreateParams.builder()
                    .model("qwen").addUserMessage("My first request").build());
            String requestId = response.headers().values("x-request-id").get(0);
            ChatCompletion completion = response.parse();
            assertThat(completion.choices().get(0).message().content()).isPresent();

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Usage")).click();
            for (int i = 0; i < 50 && !page.locator("#recent-table").isVisible(); i++) {
                page.waitForTimeout(200); // the usage writer batches every few milliseconds
                page.reload();
            }
            assertThat(page.locator("#recent-table")).containsText(requestId);
            assertThat(page.locator("#recent-table")).containsText("qwen");
            assertThat(page.locator("#recent-table")).containsText("/v1/chat/completions"); // the API each request used
            page.waitForFunction("() => window.Chart && document.querySelector('#usage-chart').width > 0");
            Browser.shot(page, "05-usage");
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("core journey (sign up → usage page) took %.1f s in the browser%n", seconds);
            assertThat(seconds).as("the core journey stays well under two minutes").isLessThan(120);

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("API keys")).click();
            page.locator("tr", new Page.LocatorOptions().setHasText("laptop"))
                    .getByRole(AriaRole.LINK, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Revoke")).click();
            Browser.shot(page, "06-revoke-confirm");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke key")).click();
            assertThat(page.locator("#keys-table")).containsText("Revoked");
            assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("qwen").addUserMessage("after revoke").build())).isInstanceOf(UnauthorizedException.class);
            Browser.shot(page, "07-key-revoked");
        }
    }

    @Test
    void every_console_page_renders_for_a_signed_in_user() {
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, portal.baseUrl(), "pages@example.com");
            for (String[] p : new String[][] {{"models", "Models"}, {"playground", "Playground"},
                    {"billing", "Plan and billing"}, {"profile", "Profile and security"}, {"team", "Team"}}) {
                page.navigate(portal.baseUrl() + "/portal/" + p[0]);
                assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName(p[1]).setLevel(1))).isVisible();
                Browser.shot(page, "page-" + p[0]);
            }
            page.navigate(portal.baseUrl() + "/portal/models");
            assertThat(page.locator("#models-table")).containsText("oss-120b");
            assertThat(page.locator("#models-table")).containsText("131,072 tokens");
            page.navigate(portal.baseUrl() + "/portal/billing");
            assertThat(page.locator("#plans-table tr.current")).containsText("Free");
        }
    }

    @Test
    void playground_streams_an_answer_and_shows_request_id_and_tokens() {
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, portal.baseUrl(), "playground@example.com");
            page.navigate(portal.baseUrl() + "/portal/playground");
            page.getByLabel("Model").selectOption("gemma-4");
            page.getByLabel("Message").fill("Say something");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send")).click();
            assertThat(page.locator("#pg-meta")).containsText("Request req_", new com.microsoft.playwright.assertions
                    .LocatorAssertions.ContainsTextOptions().setTimeout(Duration.ofSeconds(15).toMillis()));
            assertThat(page.locator("#pg-meta")).containsText("completion tokens");
            assertThat(page.locator("#pg-output")).containsText("lorem ipsum");
            assertThat(page.locator("#pg-reasoning-box")).isHidden(); // gemma-4 does not think unless asked
            Browser.shot(page, "08-playground");

            page.getByLabel("Model").selectOption("qwen"); // Qwen3 thinks first: its reasoning is shown apart
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send")).click();
            assertThat(page.locator("#pg-reasoning-box")).isVisible(new com.microsoft.playwright.assertions
                    .LocatorAssertions.IsVisibleOptions().setTimeout(Duration.ofSeconds(15).toMillis()));
            page.locator("#pg-reasoning-box summary").click();
            assertThat(page.locator("#pg-reasoning")).not().isEmpty();
            assertThat(page.locator("#pg-output")).containsText("lorem ipsum");
            assertThat(page.locator("#pg-output")).not().containsText("<think>");
            Browser.shot(page, "09-playground-reasoning");
        }
    }
}
