package ai.cortensor.portal.portal;

import static ai.cortensor.portal.portal.Browser.named;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.BoundingBox;
import com.microsoft.playwright.options.ColorScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An organization owner's journey in real Chromium, on a desktop window and on a 375 px phone: create the
 * organization, invite two people, be refused a duplicate invitation, cancel one, see the other person open the
 * mailed link signed out and join through sign-up, remove them (and their key), and learn that the last owner cannot
 * leave. Screenshots: target/screenshots/org-owner-{desktop,phone}-*.png.
 */
class OrganizationOwnerJourneyIT {
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

    final List<String> problems = new ArrayList<>();

    void shot(Page page, String device, String name) {
        Browser.shot(page, "org-owner-" + device + "-" + name);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) page.evaluate(PhoneWidthIT.MEASURE);
        int width = page.viewportSize().width;
        if (((Number) m.get("scrollWidth")).intValue() > width) {
            problems.add(name + " is " + m.get("scrollWidth") + " px wide in a " + width + " px window; sticking out: "
                    + m.get("wide"));
        }
    }

    void onScreen(Page page, Locator l, String what) {
        l.scrollIntoViewIfNeeded();
        assertThat(l).isVisible();
        BoundingBox box = l.boundingBox();
        if (box.x < 0 || box.x + box.width > page.viewportSize().width + 0.5) {
            problems.add(what + " is off screen: x=" + box.x + " width=" + box.width);
        }
    }

    @ParameterizedTest(name = "{0} px wide")
    @ValueSource(ints = {1280, 375})
    void an_owner_invites_cancels_removes_and_cannot_leave_as_the_last_owner(int width) {
        String device = width < 600 ? "phone" : "desktop";
        String base = portal.baseUrl();
        String ownerEmail = "owner-" + device + "@acme.example";
        String memberEmail = "member-" + device + "@acme.example";
        String otherEmail = "second-" + device + "@acme.example";
        String org = "Acme Research " + device;
        try (BrowserContext owner = browser.newContext(width, 860, ColorScheme.LIGHT);
             BrowserContext member = browser.newContext(width, 860, ColorScheme.LIGHT)) {
            Page a = owner.newPage();
            PortalTestSupport.signUp(a, base, ownerEmail);
            a.navigate(base + "/portal/team");
            a.locator("#org-name").fill(org);
            a.getByRole(AriaRole.BUTTON, named("Create organization")).click();
            assertThat(a.getByRole(AriaRole.HEADING, named("Members of " + org))).isVisible();
            for (String email : new String[] {memberEmail, otherEmail}) {
                a.locator("#invite-email").fill(email);
                a.getByRole(AriaRole.BUTTON, named("Send invitation")).click();
                assertThat(a.getByRole(AriaRole.STATUS)).hasText("Invitation sent.");
            }
            assertThat(a.locator("#invites-table tbody tr")).hasCount(2);
            shot(a, device, "01-two-invited");

            a.locator("#invite-email").fill(otherEmail);
            a.getByRole(AriaRole.BUTTON, named("Send invitation")).click();
            assertThat(a.getByRole(AriaRole.ALERT)).containsText(otherEmail + " already has a pending invitation");
            assertThat(a.locator("#invites-table tbody tr")).hasCount(2);
            shot(a, device, "02-duplicate-refused");

            Locator cancel = a.getByRole(AriaRole.BUTTON, named("Cancel the invitation to " + otherEmail));
            onScreen(a, cancel, "Cancel invitation");
            cancel.click();
            assertThat(a.getByRole(AriaRole.STATUS)).hasText("The invitation is cancelled; its link no longer works.");
            assertThat(a.locator("#invites-table")).not().containsText(otherEmail);
            assertThat(a.locator("#invites-table")).containsText(memberEmail);
            shot(a, device, "03-cancelled");

            String link = MailCatcher.link(mail.waitFor(memberEmail, "You are invited to " + org), "/invite");
            Page b = member.newPage();
            b.navigate(link);
            assertThat(b.getByRole(AriaRole.HEADING, named("Join " + org))).isVisible();
            assertThat(b.locator("main")).containsText(ownerEmail + " invited " + memberEmail);
            shot(b, device, "04-invitation-signed-out");
            b.getByRole(AriaRole.LINK, named("Create an account")).click();
            assertThat(b.getByLabel("Email")).hasValue(memberEmail);
            b.getByLabel("Password").fill(PortalTestSupport.PASSWORD);
            b.getByRole(AriaRole.BUTTON, named("Create account")).click();
            assertThat(b.getByRole(AriaRole.HEADING, named("Join " + org))).isVisible();
            shot(b, device, "05-invitation-signed-in");
            b.getByRole(AriaRole.BUTTON, named("Accept invitation")).click();
            b.waitForURL(base + "/portal/team?joined=1");
            b.navigate(base + "/portal/keys");
            b.getByLabel("Name").fill("member-laptop");
            b.getByRole(AriaRole.BUTTON, named("Create key")).click();
            String memberKey = b.locator("#new-key").inputValue();
            assertThat(portal.chat(memberKey).statusCode()).isEqualTo(200);

            a.navigate(base + "/portal/team");
            assertThat(a.locator("#members-table")).containsText(memberEmail);
            assertThat(a.locator("#invites-table")).hasCount(0);
            shot(a, device, "06-member-joined");
            Locator remove = a.locator("#members-table tr", new Page.LocatorOptions().setHasText(memberEmail))
                    .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Remove"));
            onScreen(a, remove, "Remove on the members table");
            remove.click();
            assertThat(a.getByRole(AriaRole.HEADING, named("Remove " + memberEmail + " from " + org + "?"))).isVisible();
            assertThat(a.getByLabel("Also revoke these keys")).isChecked();
            shot(a, device, "07-remove-confirm");
            onScreen(a, a.getByRole(AriaRole.BUTTON, named("Remove member")), "the Remove member button");
            a.getByRole(AriaRole.BUTTON, named("Remove member")).click();
            assertThat(a.getByRole(AriaRole.STATUS)).hasText("The member is removed.");
            assertThat(a.locator("#members-table")).not().containsText(memberEmail);
            assertThat(a.locator("main")).containsText("You are the last owner, so you cannot leave " + org + ".");
            shot(a, device, "08-removed-last-owner");
            assertThat(portal.chat(memberKey).statusCode()).as("the removed member's key").isEqualTo(401);

            b.navigate(base + "/portal/team");
            assertThat(b.locator("#account option")).hasText(new String[] {"Personal (" + memberEmail + ")"});
            shot(b, device, "09-member-after-removal");
        }
        assertThat(problems).as("what does not fit or is off screen at %d px", width).isEmpty();
    }
}
