package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.Account;
import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.accounts.MembershipRefused;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.accounts.Organizations;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.web.Web;
import ai.cortensor.portal.web.WebHeaders;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Team page: create an organization; owners invite, cancel invitations and remove members; every member can
 * leave (not the last owner). Removing a member offers to revoke the keys they created for the organization.
 */
final class TeamPages {
    private final Gate gate;
    private final Html html;
    private final Organizations orgs;
    private final CustomerKeys keys;

    TeamPages(Gate gate, Html html, Organizations orgs, CustomerKeys keys) {
        this.gate = gate;
        this.html = html;
        this.orgs = orgs;
        this.keys = keys;
    }

    void register(ConsolePages console, HttpRouting.Builder r) {
        console.signedIn(r, "/portal/team", false, (req, res, c) -> page(req, res, c, null, 200));
        // a paused account is read-only: no new organization (for a paused person either) and no invitation; what
        // only takes access away (cancel, remove, leave) stays allowed
        console.signedInPost(r, "/portal/team/organizations", Gate.Guard.PERSON, this::create);
        console.signedInPost(r, "/portal/team/invite", Gate.Guard.ACCOUNT, this::invite);
        console.signedInPost(r, "/portal/team/invitations/{id}/cancel", Gate.Guard.NONE, this::cancel);
        console.signedIn(r, "/portal/team/members/{id}/remove", false, this::removePage);
        console.signedInPost(r, "/portal/team/members/{id}/remove", Gate.Guard.NONE, this::remove);
        console.signedIn(r, "/portal/team/leave", false, this::leavePage);
        console.signedInPost(r, "/portal/team/leave", Gate.Guard.NONE, this::leave);
    }

    private void page(ServerRequest req, ServerResponse res, Sessions.Current c, String error, int status) {
        Account a = c.account();
        Page page = gate.page(req, res, c, "Team", "team");
        String notice = req.query().contains("joined") ? "You joined " + a.name() + ". You are now acting for it."
                : req.query().contains("invited") ? "Invitation sent."
                : req.query().contains("cancelled") ? "The invitation is cancelled; its link no longer works."
                : req.query().contains("removed") ? "The member is removed."
                : req.query().contains("left") ? "You left the organization. You now act for your personal account."
                : null;
        if (notice != null && error == null) {
            page = page.withNotice(notice, "info");
        }
        List<OrganizationStore.Member> members = orgs.members(a);
        html.render(res, status, "team.jte", AuthPages.params("page", page, "view", new Views.Team(a.personal(),
                a.owner(), a.name(), c.user().id(), orgs.lastOwner(a, members), members, orgs.pendingInvites(a),
                error)));
    }

    private void create(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        try {
            long org = orgs.create(c.user().id(), form.get("name"), actor(req, res, c));
            gate.sessions().switchAccount(gate.current(req).orElseThrow(), org);
            Web.redirect(res, "/portal/team");
        } catch (FormError e) {
            page(req, res, c, e.getMessage(), 400);
        }
    }

    private void invite(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        try {
            orgs.invite(c.account(), actor(req, res, c), form.get("email"), form.getOrDefault("role", "member"));
            Web.redirect(res, "/portal/team?invited=1");
        } catch (FormError e) {
            page(req, res, c, e.getMessage(), 400);
        } catch (MembershipRefused e) {
            page(req, res, c, e.getMessage(), status(e));
        }
    }

    private void cancel(ServerRequest req, ServerResponse res, Sessions.Current c) {
        if (Forms.read(req, res, gate, html) == null) {
            return;
        }
        try {
            orgs.cancelInvite(c.account(), id(req), actor(req, res, c));
            Web.redirect(res, "/portal/team?cancelled=1");
        } catch (MembershipRefused e) {
            page(req, res, c, e.getMessage(), status(e));
        }
    }

    /** A member of the organization acted for, or empty after answering (not an owner, or no such member). */
    private Optional<OrganizationStore.Member> member(ServerRequest req, ServerResponse res, Sessions.Current c) {
        if (c.account().personal() || !c.account().owner()) {
            page(req, res, c, "Only owners of an organization can remove members.", 403);
            return Optional.empty();
        }
        long id = id(req);
        Optional<OrganizationStore.Member> m = orgs.members(c.account()).stream().filter(x -> x.userId() == id)
                .findFirst();
        if (m.isEmpty()) {
            page(req, res, c, "That person is not a member of " + c.account().name() + ".", 404);
        }
        return m;
    }

    private void removePage(ServerRequest req, ServerResponse res, Sessions.Current c) {
        member(req, res, c).ifPresent(m -> html.render(res, 200, "remove-member.jte", AuthPages.params(
                "page", gate.page(req, res, c, "Remove member", "team"), "member", m,
                "organization", c.account().name(), "keys", keys.activeCreatedBy(c.account(), m.userId()))));
    }

    private void remove(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        try {
            Actor actor = actor(req, res, c);
            OrganizationStore.Member removed = orgs.removeMember(c.account(), id(req), actor);
            if ("1".equals(form.get("revoke_keys"))) {
                keys.revokeCreatedBy(c.account(), removed.userId(), actor,
                        removed.email() + " was removed from " + c.account().name());
            }
            Web.redirect(res, "/portal/team?removed=1");
        } catch (MembershipRefused e) {
            page(req, res, c, e.getMessage(), status(e));
        }
    }

    private void leavePage(ServerRequest req, ServerResponse res, Sessions.Current c) {
        if (c.account().personal()) {
            page(req, res, c, "You are acting for your personal account: there is no organization to leave.", 409);
            return;
        }
        if (orgs.lastOwner(c.account(), orgs.members(c.account()))) {
            page(req, res, c, Organizations.lastOwner(c.account()), 409);
            return;
        }
        html.render(res, 200, "leave.jte", AuthPages.params("page", gate.page(req, res, c, "Leave organization", "team"),
                "organization", c.account().name(), "keys", keys.activeCreatedBy(c.account(), c.user().id()).size()));
    }

    private void leave(ServerRequest req, ServerResponse res, Sessions.Current c) {
        if (Forms.read(req, res, gate, html) == null) {
            return;
        }
        try {
            orgs.leave(c.account(), actor(req, res, c));
            gate.sessions().switchAccount(c, null);
            Web.redirect(res, "/portal/team?left=1");
        } catch (MembershipRefused e) {
            page(req, res, c, e.getMessage(), status(e));
        }
    }

    private static long id(ServerRequest req) {
        try {
            return Long.parseLong(req.path().pathParameters().get("id"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int status(MembershipRefused e) {
        return switch (e.kind()) {
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
        };
    }

    static Actor actor(ServerRequest req, ServerResponse res, Sessions.Current c) {
        return new Actor(c.user().email(), "customer", WebHeaders.requestId(res), Web.clientAddr(req));
    }
}
