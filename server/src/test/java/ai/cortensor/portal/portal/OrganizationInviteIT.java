package ai.cortensor.portal.portal;

import static ai.cortensor.portal.portal.Browser.named;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Organizations: an owner creates one and invites by email; the invitee opens the mailed link (GreenMail), accepts,
 * and shares the organization's keys, but only while acting for it. Invites are bound to the invited address.
 */
class OrganizationInviteIT {
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


    @Test
    void an_invited_member_accepts_the_mailed_link_and_shares_the_organizations_keys_only_when_acting_for_it() {
        String base = portal.baseUrl();
        try (BrowserContext owner = browser.newContext(); BrowserContext member = browser.newContext()) {
            Page a = owner.newPage();
            PortalTestSupport.signUp(a, base, "owner@example.com");
            a.navigate(base + "/portal/team");
            a.locator("#org-name").fill("Acme Labs");
            a.getByRole(AriaRole.BUTTON, named("Create organization")).click();
            assertThat(a.getByRole(AriaRole.HEADING, named("Members of Acme Labs"))).isVisible();
            assertThat(a.locator("#account option:checked")).hasText("Acme Labs");
            a.locator("#invite-email").fill("Member@Example.com");
            a.getByRole(AriaRole.BUTTON, named("Send invitation")).click();
            assertThat(a.getByRole(AriaRole.STATUS)).hasText("Invitation sent.");
            assertThat(a.locator("#invites-table")).containsText("member@example.com");
            Browser.shot(a, "org-01-owner-team-invited");

            a.navigate(base + "/portal/keys");
            a.getByLabel("Name").fill("acme-prod");
            a.getByRole(AriaRole.BUTTON, named("Create key")).click();
            assertThat(a.locator("#keys-table")).containsText("acme-prod");

            MailCatcher.Received invite = mail.waitFor("member@example.com", "You are invited to Acme Labs");
            assertThat(invite.text()).contains("owner@example.com invited you");
            String link = MailCatcher.link(invite, "/invite");

            Page b = member.newPage();
            PortalTestSupport.signUp(b, base, "member@example.com");
            b.getByRole(AriaRole.BUTTON, named("Sign out")).click();
            b.waitForURL(base + "/signin?signedout=1");
            b.navigate(link); // signed out: the page says what it is, then sign in and back to it
            assertThat(b.locator("main")).containsText("owner@example.com invited member@example.com to join the "
                    + "organization Acme Labs on Cortensor Portal as member.");
            b.getByRole(AriaRole.LINK, named("Sign in to accept")).click();
            assertThat(b).hasURL(Pattern.compile(".*/signin\\?next=%2Finvite%3Ftoken%3D.*"));
            assertThat(b.getByLabel("Email")).hasValue("member@example.com");
            b.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
            b.getByRole(AriaRole.BUTTON, named("Sign in").setExact(true)).click();
            assertThat(b.getByRole(AriaRole.HEADING, named("Join Acme Labs"))).isVisible();
            Browser.shot(b, "org-02-invitation");
            b.getByRole(AriaRole.BUTTON, named("Accept invitation")).click();
            b.waitForURL(base + "/portal/team?joined=1");
            assertThat(b.getByRole(AriaRole.STATUS)).containsText("You joined Acme Labs");
            assertThat(b.locator("#members-table")).containsText("owner@example.com");
            assertThat(b.locator("#members-table")).containsText("member@example.com");
            assertThat(b.locator("#account option")).hasText(new String[] {"Personal (member@example.com)", "Acme Labs"});
            assertThat(b.locator("#account option:checked")).hasText("Acme Labs");

            b.navigate(base + "/portal/keys");
            assertThat(b.locator("#keys-table")).containsText("acme-prod");
            Browser.shot(b, "org-03-member-sees-org-keys");

            b.locator("#account").selectOption("personal");
            b.waitForURL(base + "/portal");
            b.navigate(base + "/portal/keys");
            assertThat(b.locator("#account option:checked")).hasText("Personal (member@example.com)");
            assertThat(b.locator("main")).containsText("No keys yet");
            assertThat(b.locator("main")).not().containsText("acme-prod");

            Response reused = b.navigate(link);
            assertThat(reused.status()).isEqualTo(410);
            assertThat(b.locator("main")).containsText("This invitation to Acme Labs was already accepted.");
        }
        assertThat(portal.count("SELECT count(*) FROM organization_members m JOIN users u ON u.id = m.user_id "
                + "JOIN organizations o ON o.id = m.organization_id WHERE o.name = 'Acme Labs'")).isEqualTo(2);
    }

    @Test
    void an_invitation_opened_by_someone_signed_in_with_another_email_is_refused_and_stays_usable() {
        String base = portal.baseUrl();
        PortalHttp owner = new PortalHttp(base).signUp("boss@example.com", PortalTestSupport.PASSWORD);
        assertThat(owner.post("/portal/team/organizations", Map.of("name", "Globex")).statusCode()).isEqualTo(303);
        HttpResponse<String> invited = owner.post("/portal/team/invite", Map.of("email", "carol@example.com", "role", "member"));
        assertThat(invited.statusCode()).as(invited.body()).isEqualTo(303);
        String link = MailCatcher.link(mail.waitFor("carol@example.com", "You are invited to Globex"), "/invite");
        String token = link.substring(link.indexOf("token=") + "token=".length());

        PortalHttp dave = new PortalHttp(base).signUp("dave@example.com", PortalTestSupport.PASSWORD);
        HttpResponse<String> accept = dave.post("/invite", Map.of("token", token));
        assertThat(accept.statusCode()).isEqualTo(400);
        assertThat(accept.body()).contains("This invitation was sent to another email address. Sign in as carol@example.com to accept it.");
        assertThat(PortalHttp.json(dave.get("/portal/api/me")).at("/account/type").asText()).isEqualTo("personal");
        assertThat(portal.count("SELECT count(*) FROM organization_members m JOIN users u ON u.id = m.user_id "
                + "WHERE u.email = 'dave@example.com'")).isZero();

        PortalHttp carol = new PortalHttp(base).signUp("carol@example.com", PortalTestSupport.PASSWORD);
        HttpResponse<String> accepted = carol.post("/invite", Map.of("token", token));
        assertThat(accepted.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(accepted)).isEqualTo("/portal/team?joined=1");
        assertThat(PortalHttp.json(carol.get("/portal/api/me")).at("/account/name").asText()).isEqualTo("Globex");
    }

    @Test
    void only_an_owner_can_invite_and_a_member_cannot_switch_to_an_organization_it_does_not_belong_to() {
        String base = portal.baseUrl();
        PortalHttp outsider = new PortalHttp(base).signUp("outsider@example.com", PortalTestSupport.PASSWORD);
        // acting for the personal account: there is nothing to invite to
        HttpResponse<String> r = outsider.post("/portal/team/invite", Map.of("email", "x@example.com", "role", "member"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("Only owners of an organization can invite members.");
        PortalHttp initech = new PortalHttp(base).signUp("initech@example.com", PortalTestSupport.PASSWORD);
        assertThat(initech.post("/portal/team/organizations", Map.of("name", "Initech")).statusCode()).isEqualTo(303);
        long org = portal.count("SELECT id FROM organizations WHERE name = 'Initech'");
        HttpResponse<String> sw = outsider.post("/portal/account", Map.of("account", Long.toString(org)));
        assertThat(sw.statusCode()).isEqualTo(404);
        assertThat(sw.body()).doesNotContain("Initech");
        assertThat(PortalHttp.json(outsider.get("/portal/api/me")).at("/account/type").asText()).isEqualTo("personal");
        assertThat(portal.count("SELECT count(*) FROM organization_invites WHERE email = 'x@example.com'")).isZero();
    }
}
