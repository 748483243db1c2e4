package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.plans.AdmissionControl;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Notifications end to end (issue 14 item 8): operators act through the same service the admin API, CLI and
 * console use; the portal's background sender mails the customer through real SMTP (GreenMail); each mail goes out
 * once however many rounds run; the customer's profile lists what was sent.
 */
class CustomerNotificationsIT {
    static final Actor OPERATOR = new Actor("ops@example.com", "admin", null, "192.0.2.1");
    static MailCatcher mail;
    static PortalTestSupport.Running portal;

    @BeforeAll
    static void start() {
        mail = new MailCatcher();
        Map<String, String> config = new java.util.HashMap<>(mail.config());
        config.put("mail.notify-interval", "PT0.2S");
        portal = PortalTestSupport.start(config);
        portal.jdbi().useHandle(h -> h.execute("INSERT INTO plans (code, name, limits) VALUES ('five-a-week', "
                + "'Five a week', '{\"weekly_requests\": 5}')"));
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(portal, mail);
    }

    static long mailsTo(String email, String subject) {
        return mail.all().stream().filter(m -> m.to().equalsIgnoreCase(email) && m.subject().contains(subject)).count();
    }

    /** Lets several sender rounds run, so that a second mail, were there one, would have been sent. */
    static void severalRounds() throws InterruptedException {
        Thread.sleep(1_500);
    }

    @Test
    void an_operator_revoking_a_key_mails_its_owner_once_and_the_profile_lists_it() throws Exception {
        PortalHttp customer = new PortalHttp(portal.baseUrl()).signUp("keyholder@notify.example", PortalTestSupport.PASSWORD);
        String prefix = customer.createKey("laptop").at("/metadata/prefix").asText();
        customer.createKey("own-revoke");
        long own = portal.count("SELECT id FROM api_keys WHERE name = 'own-revoke'");
        assertThat(customer.api("DELETE", "/portal/api/keys/" + own, null, customer.csrf()).statusCode()).isEqualTo(200);

        portal.portal().operations().revokeKey(prefix, "posted in a public repo (ticket 4411)", OPERATOR);

        MailCatcher.Received received = mail.waitFor("keyholder@notify.example", "Your API key \"laptop\" was revoked");
        assertThat(received.text()).contains("Our operators revoked the API key \"laptop\" (" + prefix + "_…)")
                .contains("401 revoked_api_key").contains(portal.baseUrl() + "/portal/keys")
                .doesNotContain("ticket 4411").doesNotContain("ops@example.com");
        severalRounds();
        assertThat(mailsTo("keyholder@notify.example", "was revoked")).as("once, and not for the customer's own revoke")
                .isEqualTo(1);

        HttpResponse<String> profile = customer.get("/portal/profile");
        assertThat(profile.body()).contains("Notifications we sent you").contains("id=\"notifications-table\"")
                .contains("<summary>Your API key \"laptop\" was revoked</summary>").contains(">Sent<");
    }

    @Test
    void pausing_and_unpausing_an_account_mails_its_owners_each_once() throws Exception {
        new PortalHttp(portal.baseUrl()).signUp("paused@notify.example", PortalTestSupport.PASSWORD);
        long user = portal.count("SELECT id FROM users WHERE email = 'paused@notify.example'");
        portal.portal().operations().pauseAccount("u" + user, "abuse report #77", OPERATOR);
        MailCatcher.Received paused = mail.waitFor("paused@notify.example", "Your Cortensor Portal account is paused");
        assertThat(paused.text()).contains("403 account_paused").contains("Contact support")
                .doesNotContain("abuse report");
        portal.portal().operations().unpauseAccount("u" + user, "resolved", OPERATOR);
        mail.waitFor("paused@notify.example", "Your Cortensor Portal account is active again");

        PortalHttp owner = new PortalHttp(portal.baseUrl()).signUp("org-owner@notify.example", PortalTestSupport.PASSWORD);
        owner.post("/portal/team/organizations", Map.of("name", "Paused Org"));
        long org = portal.count("SELECT id FROM organizations WHERE name = 'Paused Org'");
        portal.portal().operations().pauseAccount("o" + org, "unpaid", OPERATOR);
        assertThat(mail.waitFor("org-owner@notify.example", "is paused").text())
                .contains("Our operators paused the organization Paused Org");

        severalRounds();
        assertThat(mailsTo("paused@notify.example", "is paused")).isEqualTo(1);
        assertThat(mailsTo("paused@notify.example", "active again")).isEqualTo(1);
        assertThat(mailsTo("org-owner@notify.example", "is paused")).isEqualTo(1);
    }

    @Test
    void a_weekly_allowance_mails_at_80_and_at_100_percent_once_each() throws Exception {
        PortalHttp customer = new PortalHttp(portal.baseUrl()).signUp("allowance@notify.example",
                PortalTestSupport.PASSWORD);
        long user = portal.count("SELECT id FROM users WHERE email = 'allowance@notify.example'");
        portal.portal().admission().changePlan(new AdmissionControl.AccountRef(user, null), "five-a-week");
        String key = customer.createKey("allowance").get("key").asText();
        for (int i = 0; i < 4; i++) {
            assertThat(portal.chat(key).statusCode()).isEqualTo(200);
        }
        MailCatcher.Received eighty = mail.waitFor("allowance@notify.example", "You have used 80 % of your weekly allowance");
        assertThat(eighty.text()).contains("4 of 5 requests").contains("(80 %)").contains("429 insufficient_quota");
        assertThat(portal.chat(key).statusCode()).isEqualTo(200);
        MailCatcher.Received full = mail.waitFor("allowance@notify.example", "You have used all of your weekly allowance");
        assertThat(full.text()).contains("5 of 5 requests").contains("frees up in 6 d ");
        for (int i = 0; i < 3; i++) {
            assertThat(portal.chat(key).statusCode()).as("over the allowance").isEqualTo(429);
        }
        severalRounds();
        assertThat(mailsTo("allowance@notify.example", "80 %")).isEqualTo(1);
        assertThat(mailsTo("allowance@notify.example", "all of your weekly allowance")).isEqualTo(1);
        assertThat(customer.get("/portal/profile").body()).contains("You have used 80 % of your weekly allowance")
                .contains("You have used all of your weekly allowance");
    }

    @Test
    void the_profile_lists_the_notifications_readably_at_desktop_and_phone_width() {
        try (Browser browser = Browser.launchOrSkip()) {
            for (int width : new int[] {1280, 375}) {
                String email = "profile-" + width + "@notify.example";
                try (var context = browser.newContext(width, 860, com.microsoft.playwright.options.ColorScheme.LIGHT)) {
                    var page = context.newPage();
                    PortalTestSupport.signUp(page, portal.baseUrl(), email);
                    long user = portal.count("SELECT id FROM users WHERE email = '" + email + "'");
                    portal.portal().operations().pauseAccount("u" + user, "test", OPERATOR);
                    portal.portal().operations().unpauseAccount("u" + user, "test", OPERATOR);
                    mail.waitFor(email, "active again");
                    page.navigate(portal.baseUrl() + "/signin");
                    page.getByLabel("Email").fill(email);
                    page.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
                    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, Browser.named("Sign in").setExact(true))
                            .click();
                    page.navigate(portal.baseUrl() + "/portal/profile");
                    var rows = page.locator("#notifications-table tbody tr");
                    com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(rows).hasCount(2);
                    rows.first().locator("summary").click();
                    com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(rows.first().locator("pre.mail"))
                            .containsText("Its API keys work again");
                    Browser.shot(page, "notifications-profile-" + width);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) page.evaluate(PhoneWidthIT.MEASURE);
                    assertThat(((Number) m.get("scrollWidth")).intValue()).as("%s wide: %s", width, m.get("wide"))
                            .isLessThanOrEqualTo(width);
                }
            }
        }
    }
}
