package ai.cortensor.portal.portal;

import static ai.cortensor.portal.portal.Browser.named;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Single sign-on in a real browser against a real local OpenID Connect provider (mock-oauth2-server, no login
 * form: its authorize endpoint redirects straight back with a code for the enqueued identity).
 */
class OidcSignInIT {
    static final String CLIENT_ID = "portal-web";
    static MockOAuth2Server provider;
    static PortalTestSupport.Running portal;
    static Browser browser;
    static String issuer;

    @BeforeAll
    static void start() {
        browser = Browser.launchOrSkip();
        provider = new MockOAuth2Server();
        provider.start();
        issuer = provider.issuerUrl("default").toString();
        portal = PortalTestSupport.start(Map.of("oidc.issuer", issuer, "oidc.client-id", CLIENT_ID,
                "oidc.client-secret", "not-checked-by-the-mock", "oidc.name", "Acme ID"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (portal != null) {
            portal.close();
        }
        if (provider != null) {
            provider.shutdown();
        }
    }

    /** The provider's next sign-in is this person. */
    static void nextIdentity(String subject, String email, boolean verified) {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", List.of(CLIENT_ID),
                Map.of("email", email, "email_verified", verified, "name", "Test Person"), 3600));
    }

    /** A fresh browser profile (the SSO entry is a plain link, so no CSP form-action stands in its way). */
    static BrowserContext contextAllowingTheProvider() {
        return browser.newContext();
    }


    @Test
    void signing_in_with_the_provider_lands_on_the_portal_and_the_same_subject_is_the_same_user_next_time() {
        String base = portal.baseUrl();
        try (BrowserContext context = contextAllowingTheProvider()) {
            Page page = context.newPage();
            page.navigate(base + "/signin");
            assertThat(page.getByRole(AriaRole.LINK, named("Sign in with Acme ID"))).isVisible();
            Browser.shot(page, "oidc-01-signin");

            nextIdentity("acme-user-1", "ada@example.com", true);
            page.getByRole(AriaRole.LINK, named("Sign in with Acme ID")).click();
            page.waitForURL(base + "/portal");
            assertThat(page.locator("header .who")).hasText("ada@example.com");
            assertThat(page.getByRole(AriaRole.HEADING, named("Overview"))).isVisible();
            Browser.shot(page, "oidc-02-signed-in");

            page.navigate(base + "/portal/keys");
            page.getByLabel("Name").fill("sso-laptop");
            page.getByRole(AriaRole.BUTTON, named("Create key")).click();
            assertThat(page.locator("#keys-table")).containsText("sso-laptop");
            page.getByRole(AriaRole.BUTTON, named("Sign out")).click();
            page.waitForURL(base + "/signin?signedout=1");

            // same subject, even though the provider now reports another address: still the same user,
            // and the way back (next) survives the round trip through the provider
            page.navigate(base + "/portal/keys");
            assertThat(page).hasURL(Pattern.compile(".*/signin\\?next=%2Fportal%2Fkeys.*"));
            nextIdentity("acme-user-1", "ada.renamed@example.com", true);
            page.getByRole(AriaRole.LINK, named("Sign in with Acme ID")).click();
            page.waitForURL(base + "/portal/keys");
            assertThat(page.locator("header .who")).hasText("ada@example.com");
            assertThat(page.locator("#keys-table")).containsText("sso-laptop");
            Browser.shot(page, "oidc-03-second-sign-in-keys");
        }
        assertThat(portal.count("SELECT count(*) FROM users WHERE email LIKE 'ada%'")).isEqualTo(1);
        assertThat(portal.count("SELECT count(*) FROM user_identities WHERE subject = 'acme-user-1'")).isEqualTo(1);
    }

    @Test
    void an_unverified_provider_email_never_takes_over_a_password_account_but_a_verified_one_is_linked() {
        String base = portal.baseUrl();
        new PortalHttp(base).signUp("grace@example.com", PortalTestSupport.PASSWORD);
        try (BrowserContext context = contextAllowingTheProvider()) {
            Page page = context.newPage();
            page.navigate(base + "/signin");
            nextIdentity("acme-grace-unverified", "Grace@Example.com", false);
            page.getByRole(AriaRole.LINK, named("Sign in with Acme ID")).click();
            assertThat(page.getByRole(AriaRole.HEADING, named("Sign-in failed"))).isVisible();
            assertThat(page.locator("main")).containsText("sign in with your password to link it");
            assertThat(context.cookies().stream().noneMatch(c -> c.name.equals("portal_session"))).isTrue();

            page.navigate(base + "/signin");
            nextIdentity("acme-grace", "grace@example.com", true);
            page.getByRole(AriaRole.LINK, named("Sign in with Acme ID")).click();
            page.waitForURL(base + "/portal");
            assertThat(page.locator("header .who")).hasText("grace@example.com");
        }
        assertThat(portal.count("SELECT count(*) FROM users WHERE lower(email) = 'grace@example.com'")).isEqualTo(1);
        assertThat(portal.count("SELECT count(*) FROM user_identities WHERE subject = 'acme-grace-unverified'")).isZero();
        // the password account's email was never verified, so the verified owner claims it: linked, and the
        // password whoever signed up with that address chose no longer works
        assertThat(portal.count("SELECT count(*) FROM user_identities i JOIN users u ON u.id = i.user_id "
                + "WHERE i.subject = 'acme-grace' AND u.password_hash IS NULL AND u.email_verified")).isEqualTo(1);
    }

    @Test
    void a_callback_that_did_not_start_in_this_browser_is_refused() {
        PortalHttp stranger = new PortalHttp(portal.baseUrl());
        HttpResponse<String> r = stranger.get("/oidc/callback?code=stolen-code&state=someone-elses-state");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("did not start in this browser");
        assertThat(stranger.cookie("portal_session")).isNull();
    }

    @Test
    void with_a_plain_http_issuer_the_sso_button_still_works() {
        String base = portal.baseUrl();
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            page.navigate(base + "/signin");
            nextIdentity("acme-plain-http", "plain@example.com", true);
            page.getByRole(AriaRole.LINK, named("Sign in with Acme ID")).click();
            page.waitForURL(base + "/portal", new Page.WaitForURLOptions().setTimeout(10_000));
            assertThat(page.locator("header .who")).hasText("plain@example.com");
        }
    }

    @Test
    void an_account_squatted_with_someones_unverified_email_does_not_keep_the_squatters_password_once_they_sign_in() {
        String base = portal.baseUrl();
        String squattersPassword = "squatter knows this one";
        PortalHttp squatter = new PortalHttp(base).signUp("victim@example.com", squattersPassword); // never verified
        try (BrowserContext context = contextAllowingTheProvider()) {
            Page page = context.newPage();
            page.navigate(base + "/signin");
            nextIdentity("acme-victim", "victim@example.com", true);
            page.getByRole(AriaRole.LINK, named("Sign in with Acme ID")).click();
            page.waitForURL(base + "/portal");
            page.navigate(base + "/portal/keys");
            page.getByLabel("Name").fill("victim-prod");
            page.getByRole(AriaRole.BUTTON, named("Create key")).click();
            assertThat(page.locator("#keys-table")).containsText("victim-prod");
        }
        assertThat(squatter.get("/portal/api/keys").body()).as("the squatter's session").doesNotContain("victim-prod");
        PortalHttp later = new PortalHttp(base);
        HttpResponse<String> signIn = later.post("/signin", Map.of("email", "victim@example.com", "password", squattersPassword));
        if (signIn.statusCode() == 303) {
            assertThat(later.get("/portal/api/keys").body()).as("the squatter's password").doesNotContain("victim-prod");
        }
    }
}
