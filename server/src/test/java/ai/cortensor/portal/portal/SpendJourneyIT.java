package ai.cortensor.portal.portal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The money journey in real Chromium (issue 15): an operator grants credits → the customer sees the balance → sets
 * a low-credit alert and a webhook → spends through the OpenAI SDK → gets the 80 % budget mail (real SMTP) and sees
 * it on the profile and the alerts page → hits the cap: 402 budget_exceeded, a typed SDK error. Screenshots of each
 * step are kept (target/screenshots/spend-*.png). Each request costs exactly $0.40 (qwen at $0.10 per output token,
 * max_tokens 4, prompts free).
 */
class SpendJourneyIT {
    static Browser browser;
    static MailCatcher mail;
    static WebhookReceiver hooks;
    static PortalTestSupport.Running portal;
    static String operatorToken;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        mail = new MailCatcher();
        hooks = new WebhookReceiver();
        Map<String, String> config = new HashMap<>(mail.config());
        config.put("mail.notify-interval", "PT0.2S");
        config.put("webhooks.allow-local-urls", "true");
        portal = PortalTestSupport.start(config);
        portal.jdbi().useHandle(h -> h.execute(
                "UPDATE models SET prompt_price = 0, completion_price = 100000000000 WHERE alias = 'qwen'"));
        portal.portal().catalog().reload();
        operatorToken = new OperatorStore(portal.jdbi(), new SecureRandom())
                .issue("ops@example.com", Role.ADMIN, Actor.system("test"), "test setup").token();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal, hooks, mail);
    }

    static ChatCompletionCreateParams fortyCents() {
        return ChatCompletionCreateParams.builder().model("qwen").addUserMessage("Summarise my week")
                .maxCompletionTokens(4).build();
    }

    @Test
    void operator_grants_credits_customer_sees_the_balance_spends_gets_the_80_percent_mail_and_hits_the_cap()
            throws Exception {
        String base = portal.baseUrl();
        String email = "spender@journey.example";
        try (BrowserContext context = browser.newContext(1280, 900, ColorScheme.LIGHT)) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, base, email);
            long user = portal.count("SELECT id FROM users WHERE email = '" + email + "'");

            // the operator moves the account to pay-as-you-go (admin API) and grants $5 in the operator console
            HttpResponse<String> plan = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/accounts/u" + user
                            + "/plan")).header("Authorization", "Bearer " + operatorToken)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"plan\": \"prepaid\", \"reason\": \"asked for pay as you go (ticket 812)\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
            try (BrowserContext ops = browser.newContext()) {
                Page console = ops.newPage();
                console.navigate(base + "/admin");
                console.getByLabel("Operator token").fill(operatorToken);
                console.getByRole(AriaRole.BUTTON, Browser.named("Sign in")).click();
                console.navigate(base + "/admin/accounts/u" + user);
                console.locator("#credit-amount").fill("5");
                console.locator("#credit-reason").fill("welcome credits (ticket 812)");
                console.getByRole(AriaRole.BUTTON, Browser.named("Grant credits")).click();
                assertThat(console.locator("#done")).containsText("billing.credit");
                assertThat(console.locator("#balance")).hasText("$5.00");
                Browser.shot(console, "spend-00-operator-grants");
            }

            page.getByRole(AriaRole.LINK, Browser.named("Alerts")).click();
            assertThat(page.locator("#balance")).hasText("$5.00");
            page.getByLabel("Mail me when credits fall below $").fill("1");
            page.getByRole(AriaRole.BUTTON, Browser.named("Save").setExact(true)).click();
            assertThat(page.getByRole(AriaRole.STATUS)).containsText("We will mail you when credits fall below $1.00.");
            Browser.shot(page, "spend-01-balance-and-threshold");

            page.getByLabel("URL").fill(hooks.url());
            page.getByRole(AriaRole.BUTTON, Browser.named("Add webhook")).click();
            assertThat(page.getByText("you won't see it again")).isVisible();
            String secret = page.locator("#webhook-secret").inputValue();
            assertThat(secret).startsWith("whsec_");
            hooks.secrets.put("u" + user, secret);
            Browser.shot(page, "spend-02-webhook-secret-once");
            page.getByRole(AriaRole.BUTTON, Browser.named("Send a test event")).click();
            assertThat(page.getByRole(AriaRole.STATUS)).containsText("is on its way");
            WebhookReceiver.Delivery test = hooks.awaitDelivered(d -> d.type().equals("webhook.test"));
            assertThat(test.signed()).as("the receiver checks the signature with the secret it was shown").isTrue();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> portal.count(
                    "SELECT count(*) FROM webhook_attempts WHERE status_code = 200") == 1); // logged after the answer
            page.navigate(base + "/portal/alerts");
            assertThat(page.content()).doesNotContain(secret);
            assertThat(page.locator("#deliveries-table")).containsText("webhook.test");
            assertThat(page.locator("#deliveries-table")).containsText("200");

            // a $2.00 daily budget on the account (set through the billing service until the portal has the form)
            portal.portal().billing().setBudget(Budget.Scope.ACCOUNT, "u" + user, Budget.Period.DAY, 2_000_000L,
                    new Actor(email, "customer", null, null));
            page.getByRole(AriaRole.LINK, Browser.named("API keys")).click();
            page.getByLabel("Name").fill("reports");
            page.getByRole(AriaRole.BUTTON, Browser.named("Create key")).click();
            String key = page.locator("#new-key").inputValue();

            OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(key).maxRetries(0)
                    .timeout(Duration.ofSeconds(20)).build();
            for (int i = 0; i < 4; i++) {
                sdk.chat().completions().create(fortyCents()); // $1.60 of $2.00
            }
            MailCatcher.Received eighty = mail.waitFor(email, "You have spent 80 % of your daily budget ($1.60 of $2.00)");
            assertThat(eighty.text()).contains("has spent $1.60 today (UTC): 80 % of its daily budget of $2.00")
                    .contains("402 budget_exceeded");

            page.getByRole(AriaRole.LINK, Browser.named("Profile")).click();
            assertThat(page.locator("#notifications-table")).containsText("You have spent 80 % of your daily budget");
            Browser.shot(page, "spend-03-profile-80-percent-mail");
            page.getByRole(AriaRole.LINK, Browser.named("Alerts")).click();
            assertThat(page.locator("#balance")).hasText("$3.40");
            assertThat(page.locator("#budgets-table")).containsText("80 %");
            assertThat(page.locator("#deliveries-table")).containsText("budget.threshold");
            Browser.shot(page, "spend-04-alerts-80-percent");

            sdk.chat().completions().create(fortyCents()); // $2.00: the whole budget
            assertThatThrownBy(() -> sdk.chat().completions().create(fortyCents()))
                    .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(402);
                        assertThat(e.code()).hasValue("budget_exceeded");
                        assertThat(e.getMessage()).contains("$2.00 per day on your account");
                    });
            mail.waitFor(email, "Daily budget of $2.00 reached");
            page.reload();
            assertThat(page.locator("#balance")).hasText("$3.00");
            assertThat(page.locator("#budgets-table")).containsText("100 %");
            Browser.shot(page, "spend-05-alerts-cap-reached");
        }
        try (BrowserContext phone = browser.newContext(375, 860, ColorScheme.LIGHT)) {
            Page page = phone.newPage();
            page.navigate(base + "/signin");
            page.getByLabel("Email").fill(email);
            page.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
            page.getByRole(AriaRole.BUTTON, Browser.named("Sign in").setExact(true)).click();
            page.navigate(base + "/portal/alerts");
            assertThat(page.locator("#deliveries-table")).containsText("budget.threshold");
            Browser.shot(page, "spend-06-alerts-phone");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) page.evaluate(PhoneWidthIT.MEASURE);
            assertThat(((Number) m.get("scrollWidth")).intValue()).as("sticking out: %s", m.get("wide"))
                    .isLessThanOrEqualTo(375);
        }
    }
}
