package ai.cortensor.portal.portal;

import static ai.cortensor.portal.portal.Browser.named;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Emailed links end to end: the portal sends real SMTP to GreenMail, the test reads the mail, takes the link out
 * of its text and opens it in a real browser (password reset) or a plain client (expired and made-up links).
 */
class PasswordResetMailIT {
    static final String NEW_PASSWORD = "purple elephant marmalade";
    static MailCatcher mail;
    static PortalTestSupport.Running portal;
    static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        mail = new MailCatcher();
        portal = PortalTestSupport.start(mail.config());
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(browser, portal, mail);
    }


    static int signInStatus(String email, String password) {
        return new PortalHttp(portal.baseUrl()).post("/signin", Map.of("email", email, "password", password)).statusCode();
    }

    @Test
    void a_forgotten_password_is_reset_through_the_mailed_link_which_then_works_no_more() {
        String base = portal.baseUrl();
        String email = "reset@example.com";
        new PortalHttp(base).signUp(email, PortalTestSupport.PASSWORD);

        String link;
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            page.navigate(base + "/signin");
            page.getByRole(AriaRole.LINK, named("Forgot your password?")).click();
            page.getByLabel("Email").fill(email);
            page.getByRole(AriaRole.BUTTON, named("Send reset link")).click();
            assertThat(page.locator("main")).containsText("If an account exists for that address");

            MailCatcher.Received received = mail.waitFor(email, "Reset your Cortensor Portal password");
            link = MailCatcher.link(received, "/reset-password");
            assertThat(link).startsWith(base + "/reset-password?token=");

            page.navigate(link);
            assertThat(page.getByRole(AriaRole.HEADING, named("Choose a new password"))).isVisible();
            // a weak password is refused without using up the link
            page.getByLabel("New password").fill("aaaaaaaaaaaa");
            page.getByRole(AriaRole.BUTTON, named("Save password and sign in")).click();
            assertThat(page.getByRole(AriaRole.ALERT)).hasText("This password is too easy to guess.");
            page.getByLabel("New password").fill(NEW_PASSWORD);
            page.getByRole(AriaRole.BUTTON, named("Save password and sign in")).click();
            page.waitForURL(base + "/portal?password=reset");
            assertThat(page.getByRole(AriaRole.STATUS)).hasText("Your new password is saved.");
            assertThat(page.locator("header .who")).hasText(email);
            Browser.shot(page, "reset-01-signed-in-after-reset");
        }

        assertThat(signInStatus(email, PortalTestSupport.PASSWORD)).as("old password").isEqualTo(401);
        assertThat(signInStatus(email, NEW_PASSWORD)).as("new password").isEqualTo(303);

        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            page.navigate(link);
            page.getByLabel("New password").fill("another fine password");
            page.getByRole(AriaRole.BUTTON, named("Save password and sign in")).click();
            assertThat(page.getByRole(AriaRole.ALERT))
                    .hasText("This reset link has expired or was already used. Ask for a new link.");
            assertThat(context.cookies().stream().noneMatch(c -> c.name.equals("portal_session"))).isTrue();
            Browser.shot(page, "reset-02-link-used-twice");
        }
        assertThat(signInStatus(email, "another fine password")).isEqualTo(401);
        assertThat(signInStatus(email, NEW_PASSWORD)).isEqualTo(303);
    }

    @Test
    void an_expired_or_made_up_reset_link_is_refused_and_the_password_stays() throws Exception {
        String base = portal.baseUrl();
        String email = "expired@example.com";
        new PortalHttp(base).signUp(email, PortalTestSupport.PASSWORD);
        PortalHttp client = new PortalHttp(base);
        assertThat(client.post("/forgot-password", Map.of("email", email)).body())
                .contains("If an account exists for that address");
        String link = MailCatcher.link(mail.waitFor(email, "Reset your"), "/reset-password");
        String token = URI.create(link).getQuery().substring("token=".length());
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        int expired = portal.jdbi().withHandle(h -> h.createUpdate("UPDATE email_tokens SET expires_at = now() - "
                + "interval '1 second' WHERE token_hash = :h").bind("h", hash).execute());
        assertThat(expired).isEqualTo(1);

        for (String t : new String[] {token, "made-up-token-0123456789abcdefghijklmnopqrstuv", ""}) {
            HttpResponse<String> r = client.post("/reset-password", Map.of("token", t, "password", NEW_PASSWORD));
            assertThat(r.statusCode()).as("token '%s'", t).isEqualTo(400);
            assertThat(r.body()).contains("This reset link has expired or was already used.");
            assertThat(client.cookie("portal_session")).isNull();
        }
        assertThat(signInStatus(email, NEW_PASSWORD)).isEqualTo(401);
        assertThat(signInStatus(email, PortalTestSupport.PASSWORD)).isEqualTo(303);
    }

    @Test
    void asking_to_reset_an_unknown_address_looks_the_same_and_sends_nothing() {
        PortalHttp client = new PortalHttp(portal.baseUrl());
        HttpResponse<String> r = client.post("/forgot-password", Map.of("email", "nobody-here@example.com"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("If an account exists for that address");
        // the request is handled synchronously: a mail, had there been one, would already have arrived
        assertThat(mail.all()).noneMatch(m -> m.to().equals("nobody-here@example.com"));
    }

    @Test
    void sign_up_mails_a_confirmation_link_that_marks_the_address_verified() {
        String base = portal.baseUrl();
        String email = "verify@example.com";
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            PortalTestSupport.signUp(page, base, email);
            page.navigate(base + "/portal/profile");
            assertThat(page.locator("#email-h + p")).containsText("Not verified");

            String link = MailCatcher.link(mail.waitFor(email, "Confirm your email for Cortensor Portal"), "/verify-email");
            assertThat(link).startsWith(base + "/verify-email?token=");
            Response opened = page.navigate(link);
            assertThat(opened.status()).isEqualTo(200);
            assertThat(page.getByRole(AriaRole.HEADING, named("Email confirmed"))).isVisible();

            page.navigate(base + "/portal/profile");
            assertThat(page.locator("#email-h + p .pill")).hasText("Verified");
            Browser.shot(page, "verify-01-profile-verified");

            Response again = page.navigate(link);
            assertThat(again.status()).isEqualTo(400);
            assertThat(page.getByRole(AriaRole.HEADING, named("Link not valid"))).isVisible();
        }
        assertThat(portal.count("SELECT count(*) FROM users WHERE email = 'verify@example.com' AND email_verified"))
                .isEqualTo(1);
    }

    @Test
    void resetting_the_password_through_the_mail_signs_out_every_existing_session() {
        String base = portal.baseUrl();
        String email = "stolen@example.com";
        // someone who knows the old password is signed in; the owner resets it to lock them out
        PortalHttp intruder = new PortalHttp(base).signUp(email, PortalTestSupport.PASSWORD);
        assertThat(intruder.get("/portal/api/me").statusCode()).isEqualTo(200);
        PortalHttp owner = new PortalHttp(base);
        owner.post("/forgot-password", Map.of("email", email));
        String link = MailCatcher.link(mail.waitFor(email, "Reset your"), "/reset-password");
        HttpResponse<String> reset = owner.post("/reset-password", Map.of("token",
                link.substring(link.indexOf("token=") + "token=".length()), "password", NEW_PASSWORD));
        assertThat(reset.statusCode()).isEqualTo(303);
        assertThat(owner.get("/portal/api/me").statusCode()).isEqualTo(200);

        assertThat(intruder.get("/portal/api/me").statusCode()).as("the intruder's session after the reset").isEqualTo(401);
    }
}
