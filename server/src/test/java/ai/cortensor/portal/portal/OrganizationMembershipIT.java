package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Organization membership over real HTTP with mail through GreenMail (issue 14 item 9): one pending invitation per
 * address, cancelling one, removing a member (and optionally their keys), leaving, the last owner staying, who may
 * do what, the audit trail, and what an invitation link tells someone who is signed out.
 */
class OrganizationMembershipIT {
    static MailCatcher mail;
    static PortalTestSupport.Running portal;

    @BeforeAll
    static void start() {
        mail = new MailCatcher();
        portal = PortalTestSupport.start(mail.config());
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(portal, mail);
    }

    /** A new user who creates {@code org} and acts for it. */
    static PortalHttp owner(String email, String org) {
        PortalHttp owner = new PortalHttp(portal.baseUrl()).signUp(email, PortalTestSupport.PASSWORD);
        assertThat(owner.post("/portal/team/organizations", Map.of("name", org)).statusCode()).isEqualTo(303);
        return owner;
    }

    static HttpResponse<String> invite(PortalHttp owner, String email, String role) {
        return owner.post("/portal/team/invite", Map.of("email", email, "role", role));
    }

    /** The token of the newest invitation mailed to {@code email} for {@code org}. */
    static String mailedToken(String email, String org) {
        String link = MailCatcher.link(mail.waitFor(email, "You are invited to " + org), "/invite");
        return link.substring(link.indexOf("token=") + "token=".length());
    }

    /** A new user who accepts their invitation to {@code org}; acts for it afterwards. */
    static PortalHttp joined(String email, String org) {
        String token = mailedToken(email, org);
        PortalHttp member = new PortalHttp(portal.baseUrl()).signUp(email, PortalTestSupport.PASSWORD);
        HttpResponse<String> accepted = member.post("/invite", Map.of("token", token));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(303);
        return member;
    }

    /** The Team page's "Pending invitations" part, as the owner sees it. */
    static String pending(PortalHttp owner) {
        String team = owner.get("/portal/team").body();
        int start = team.indexOf("Pending invitations");
        return start < 0 ? "" : team.substring(start, team.indexOf("</section>", start));
    }

    static long userId(String email) {
        return portal.count("SELECT id FROM users WHERE email = '" + email + "'");
    }

    static long audited(String action, String actor) {
        return portal.count("SELECT count(*) FROM audit_events WHERE action = '" + action + "' AND actor = '" + actor
                + "' AND actor_role = 'customer'");
    }

    @Test
    void an_address_with_a_pending_invitation_is_not_invited_twice_and_a_member_is_not_invited_again() {
        PortalHttp owner = owner("dup-owner@example.com", "Dup Labs");
        assertThat(invite(owner, "carol@dup.example", "member").statusCode()).isEqualTo(303);
        HttpResponse<String> again = invite(owner, "Carol@Dup.Example", "owner");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).contains("carol@dup.example already has a pending invitation (sent by "
                + "dup-owner@example.com").contains("Cancel it under Pending invitations to send a new one.");
        assertThat(portal.count("SELECT count(*) FROM organization_invites WHERE lower(email) = 'carol@dup.example'"))
                .isEqualTo(1);
        assertThat(mail.all().stream().filter(m -> m.to().equals("carol@dup.example"))).hasSize(1);

        joined("carol@dup.example", "Dup Labs");
        HttpResponse<String> member = invite(owner, "carol@dup.example", "member");
        assertThat(member.statusCode()).isEqualTo(400);
        assertThat(member.body()).contains("carol@dup.example is already a member of Dup Labs.");
        assertThat(audited("organization.invite", "dup-owner@example.com")).isEqualTo(1);
    }

    @Test
    void an_accepted_invitation_stops_showing_as_pending_and_an_expired_one_does_not_block_a_new_one() {
        PortalHttp owner = owner("pend-owner@example.com", "Pending Co");
        assertThat(invite(owner, "dan@pend.example", "member").statusCode()).isEqualTo(303);
        String first = mailedToken("dan@pend.example", "Pending Co");
        invite(owner, "dan@pend.example", "member"); // a second click on "Send invitation"
        assertThat(pending(owner)).contains("dan@pend.example");

        PortalHttp dan = new PortalHttp(portal.baseUrl()).signUp("dan@pend.example", PortalTestSupport.PASSWORD);
        assertThat(dan.post("/invite", Map.of("token", first)).statusCode()).isEqualTo(303);
        assertThat(pending(owner)).doesNotContain("dan@pend.example");
        String team = owner.get("/portal/team").body();
        assertThat(team.substring(team.indexOf("id=\"members-table\""))).contains("dan@pend.example");

        assertThat(invite(owner, "eve@pend.example", "member").statusCode()).isEqualTo(303);
        portal.jdbi().useHandle(h -> h.execute("UPDATE organization_invites SET expires_at = now() - interval '1 minute' "
                + "WHERE email = 'eve@pend.example'"));
        assertThat(pending(owner)).doesNotContain("eve@pend.example");
        assertThat(invite(owner, "eve@pend.example", "member").statusCode()).as("a new invitation after expiry")
                .isEqualTo(303);
        assertThat(pending(owner)).contains("eve@pend.example");
    }

    @Test
    void an_owner_cancels_an_invitation_and_its_link_stops_working() {
        PortalHttp owner = owner("cancel-owner@example.com", "Cancel Inc");
        assertThat(invite(owner, "erin@cancel.example", "member").statusCode()).isEqualTo(303);
        String token = mailedToken("erin@cancel.example", "Cancel Inc");
        long id = portal.count("SELECT id FROM organization_invites WHERE email = 'erin@cancel.example'");

        HttpResponse<String> cancelled = owner.post("/portal/team/invitations/" + id + "/cancel", Map.of());
        assertThat(cancelled.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(cancelled)).isEqualTo("/portal/team?cancelled=1");
        assertThat(owner.get("/portal/team?cancelled=1").body())
                .contains("The invitation is cancelled; its link no longer works.").doesNotContain("erin@cancel.example");
        assertThat(owner.post("/portal/team/invitations/" + id + "/cancel", Map.of()).statusCode())
                .as("cancelling twice").isEqualTo(404);

        PortalHttp erin = new PortalHttp(portal.baseUrl()).signUp("erin@cancel.example", PortalTestSupport.PASSWORD);
        HttpResponse<String> page = erin.get("/invite?token=" + token);
        assertThat(page.statusCode()).isEqualTo(410);
        assertThat(page.body()).contains("This invitation to Cancel Inc was cancelled.");
        HttpResponse<String> accept = erin.post("/invite", Map.of("token", token));
        assertThat(accept.statusCode()).isEqualTo(400);
        assertThat(portal.count("SELECT count(*) FROM organization_members WHERE user_id = "
                + userId("erin@cancel.example"))).isZero();
        assertThat(audited("organization.invite_cancel", "cancel-owner@example.com")).isEqualTo(1);
    }

    @Test
    void a_member_cannot_invite_cancel_or_remove_and_nothing_changes() {
        PortalHttp owner = owner("roles-owner@example.com", "Roles Ltd");
        invite(owner, "mia@roles.example", "member");
        PortalHttp mia = joined("mia@roles.example", "Roles Ltd");
        invite(owner, "ned@roles.example", "member");
        long invitation = portal.count("SELECT id FROM organization_invites WHERE email = 'ned@roles.example'");
        long ownerId = userId("roles-owner@example.com");

        HttpResponse<String> inv = invite(mia, "x@roles.example", "member");
        assertThat(inv.statusCode()).isEqualTo(403);
        assertThat(inv.body()).contains("Only owners of an organization can invite members.");
        HttpResponse<String> cancel = mia.post("/portal/team/invitations/" + invitation + "/cancel", Map.of());
        assertThat(cancel.statusCode()).isEqualTo(403);
        assertThat(cancel.body()).contains("Only owners of an organization can cancel invitations.");
        assertThat(mia.get("/portal/team/members/" + ownerId + "/remove").statusCode()).isEqualTo(403);
        HttpResponse<String> remove = mia.post("/portal/team/members/" + ownerId + "/remove", Map.of());
        assertThat(remove.statusCode()).isEqualTo(403);
        assertThat(remove.body()).contains("Only owners of an organization can remove members.");
        assertThat(mia.get("/portal/team").body()).doesNotContain("Cancel invitation").doesNotContain("/remove\"");

        assertThat(portal.count("SELECT count(*) FROM organization_invites WHERE email = 'x@roles.example'")).isZero();
        assertThat(portal.count("SELECT count(*) FROM organization_invites WHERE id = " + invitation
                + " AND cancelled_at IS NULL")).isEqualTo(1);
        assertThat(portal.count("SELECT count(*) FROM organization_members m JOIN organizations o ON o.id = "
                + "m.organization_id WHERE o.name = 'Roles Ltd'")).isEqualTo(2);
    }

    @Test
    void an_owner_removes_a_member_who_loses_the_organization_and_the_keys_they_made_for_it_when_asked() {
        PortalHttp owner = owner("rm-owner@example.com", "Removal Corp");
        invite(owner, "rob@rm.example", "member");
        invite(owner, "sue@rm.example", "member");
        PortalHttp rob = joined("rob@rm.example", "Removal Corp");
        PortalHttp sue = joined("sue@rm.example", "Removal Corp");
        String robsKey = rob.createKey("rob-ci").get("key").asText();
        String suesKey = sue.createKey("sue-ci").get("key").asText();
        long org = portal.count("SELECT id FROM organizations WHERE name = 'Removal Corp'");

        HttpResponse<String> confirm = owner.get("/portal/team/members/" + userId("rob@rm.example") + "/remove");
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.body()).contains("Remove rob@rm.example from Removal Corp?").contains("rob-ci")
                .contains("Also revoke these keys");
        HttpResponse<String> removed = owner.post("/portal/team/members/" + userId("rob@rm.example") + "/remove",
                Map.of("revoke_keys", "1"));
        assertThat(removed.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(removed)).isEqualTo("/portal/team?removed=1");
        // sue is removed without her keys: they stay with the organization
        assertThat(owner.post("/portal/team/members/" + userId("sue@rm.example") + "/remove", Map.of()).statusCode())
                .isEqualTo(303);

        assertThat(PortalHttp.json(rob.get("/portal/api/me")).at("/account/type").asText()).isEqualTo("personal");
        assertThat(rob.post("/portal/account", Map.of("account", Long.toString(org))).statusCode()).isEqualTo(404);
        assertThat(portal.chat(robsKey).statusCode()).as("rob's key for the organization").isEqualTo(401);
        assertThat(portal.chat(robsKey).body()).contains("revoked_api_key");
        assertThat(portal.chat(suesKey).statusCode()).as("sue's key, not revoked").isEqualTo(200);
        assertThat(audited("organization.member_remove", "rm-owner@example.com")).isEqualTo(2);
        assertThat(portal.count("SELECT count(*) FROM audit_events WHERE action = 'api_key.revoke' "
                + "AND actor = 'rm-owner@example.com' AND reason = 'rob@rm.example was removed from Removal Corp'"))
                .isEqualTo(1);
        assertThat(owner.post("/portal/team/members/" + userId("rob@rm.example") + "/remove", Map.of()).statusCode())
                .as("not a member any more").isEqualTo(404);
        assertThat(owner.post("/portal/team/members/" + userId("rm-owner@example.com") + "/remove", Map.of())
                .statusCode()).as("removing oneself").isEqualTo(409);
    }

    @Test
    void a_member_leaves_and_the_last_owner_cannot_until_another_owner_joined() {
        PortalHttp owner = owner("leave-owner@example.com", "Leavers");
        HttpResponse<String> refused = owner.post("/portal/team/leave", Map.of());
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("You are the last owner of Leavers, so you cannot leave it.");
        assertThat(owner.get("/portal/team/leave").statusCode()).isEqualTo(409);
        assertThat(owner.get("/portal/team").body()).contains("You are the last owner, so you cannot leave Leavers.");

        invite(owner, "lou@leave.example", "member");
        PortalHttp lou = joined("lou@leave.example", "Leavers");
        assertThat(lou.get("/portal/team/leave").body()).contains("Leave Leavers?");
        HttpResponse<String> left = lou.post("/portal/team/leave", Map.of());
        assertThat(left.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(left)).isEqualTo("/portal/team?left=1");
        assertThat(PortalHttp.json(lou.get("/portal/api/me")).at("/account/type").asText()).isEqualTo("personal");
        assertThat(audited("organization.leave", "lou@leave.example")).isEqualTo(1);

        invite(owner, "olga@leave.example", "owner");
        joined("olga@leave.example", "Leavers");
        assertThat(owner.post("/portal/team/leave", Map.of()).statusCode()).as("another owner joined").isEqualTo(303);
        assertThat(portal.count("SELECT count(*) FROM organization_members m JOIN organizations o ON o.id = "
                + "m.organization_id WHERE o.name = 'Leavers' AND m.role = 'owner'")).isEqualTo(1);
    }

    @Test
    void an_invitation_link_opened_signed_out_says_which_organization_who_invited_and_how_to_accept() {
        PortalHttp owner = owner("link-owner@example.com", "Link & Co");
        invite(owner, "fay@link.example", "member");
        String token = mailedToken("fay@link.example", "Link & Co");

        PortalHttp visitor = new PortalHttp(portal.baseUrl());
        HttpResponse<String> page = visitor.get("/invite?token=" + token);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Join Link &amp; Co")
                .contains("<strong>link-owner@example.com</strong> invited <strong>fay@link.example</strong>")
                .contains("Sign in to accept").contains("Create an account")
                .contains("/signup?next=%2Finvite%3Ftoken%3D" + token + "&amp;email=fay%40link.example");

        HttpResponse<String> signedUp = visitor.post("/signup", Map.of("email", "fay@link.example",
                "password", PortalTestSupport.PASSWORD, "next", "/invite?token=" + token));
        assertThat(PortalHttp.location(signedUp)).isEqualTo("/invite?token=" + token);
        assertThat(visitor.get("/invite?token=" + token).body()).contains("Accept invitation");
        assertThat(visitor.post("/invite", Map.of("token", token)).statusCode()).isEqualTo(303);
        assertThat(PortalHttp.json(visitor.get("/portal/api/me")).at("/account/name").asText()).isEqualTo("Link & Co");

        HttpResponse<String> used = new PortalHttp(portal.baseUrl()).get("/invite?token=" + token);
        assertThat(used.statusCode()).isEqualTo(410);
        assertThat(used.body()).contains("This invitation to Link &amp; Co was already accepted.");
        HttpResponse<String> unknown = new PortalHttp(portal.baseUrl()).get("/invite?token=made-up");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("This invitation link is not valid.");
        assertThat(portal.count("SELECT count(*) FROM audit_events WHERE action = 'organization.join' "
                + "AND actor = 'fay@link.example'")).isEqualTo(1);
    }
}
