package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.accounts.User;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.Refusal;
import ai.cortensor.portal.plans.WhyBlocked;
import ai.cortensor.portal.sessions.SessionGate;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is asking the portal, and may they: the customer audience's {@link SessionGate} (cookie {@code portal_session},
 * CSRF double-submit cookie {@code portal_csrf}) plus what the portal's pages need of the signed-in customer —
 * including whether the account acted for is paused, which makes the portal read-only ({@link Guard}).
 */
final class Gate {
    static final SessionGate.Cookies COOKIES = new SessionGate.Cookies("portal_session", "portal_csrf", "/",
            SetCookie.SameSite.LAX, "/signin", null);

    private final Sessions sessions;
    private final SessionGate<User> gate;
    private final WhyBlocked whyBlocked;
    private final String supportEmail;

    Gate(Sessions sessions, OneTimeTokens tokens, WhyBlocked whyBlocked, String supportEmail) {
        this.sessions = sessions;
        this.gate = new SessionGate<>(sessions.browser(), COOKIES, tokens);
        this.whyBlocked = whyBlocked;
        this.supportEmail = supportEmail;
    }

    /** What a state-changing request needs besides a session and the CSRF token. */
    enum Guard {
        /** Nothing more: signing out, switching account, revoking a key, the person's own password and sessions. */
        NONE,
        /** The account acted for is not paused: creating keys, the playground, inviting. */
        ACCOUNT,
        /** Neither the account acted for nor the person's own account is paused: creating or joining organizations. */
        PERSON
    }

    /**
     * The pause that refuses {@code guard} for this session, or empty: the gateway's rule for the account acted for
     * ({@code account_paused}), and for {@link Guard#PERSON} also the person's own account.
     */
    Optional<Refusal.AccountPaused> refusal(Sessions.Current c, Guard guard) {
        if (guard == Guard.NONE) {
            return Optional.empty();
        }
        Optional<Refusal.AccountPaused> acting = whyBlocked.paused(ref(c));
        if (acting.isPresent() || guard == Guard.ACCOUNT || c.account().personal()) {
            return acting;
        }
        return whyBlocked.paused(new AdmissionControl.AccountRef(c.user().id(), null));
    }

    /** The message a refused change shows: what is paused, why, and whom to contact. */
    String pausedMessage(Refusal.AccountPaused p) {
        String who = p.organization() ? "This organization's account" : "This account";
        return who + " is paused" + (p.since() == null ? "" : " since " + Refusal.WHEN.format(p.since()))
                + (p.reason() == null || p.reason().isBlank() ? "" : " (" + p.reason().strip() + ")")
                + ". While it is paused the portal is read-only: you can see your keys, usage and spend, but not "
                + "create keys, use the playground, invite people or create organizations. "
                + (supportEmail == null ? "Contact support to resolve it." : "Contact support at " + supportEmail
                + " to resolve it.");
    }

    static AdmissionControl.AccountRef ref(Sessions.Current c) {
        return new AdmissionControl.AccountRef(c.user().id(), c.account().organizationId());
    }

    Optional<Sessions.Current> current(ServerRequest req) {
        return gate.current(req).map(sessions::current);
    }

    /** The signed-in user, or empty after redirecting the browser to sign-in with a way back here. */
    Optional<Sessions.Current> requirePage(ServerRequest req, ServerResponse res) {
        return gate.require(req, res).map(sessions::current);
    }

    /** The CSRF token for this browser, setting the cookie when it has none. */
    String csrf(ServerRequest req, ServerResponse res) {
        return gate.csrf(req, res);
    }

    /** True when the request repeats this browser's CSRF cookie in the form or the header. */
    boolean csrfOk(ServerRequest req, Map<String, String> form) {
        return gate.csrfOk(req, form);
    }

    Page page(ServerRequest req, ServerResponse res, Sessions.Current c, String title, String nav) {
        String csrf = csrf(req, res);
        if (c == null) {
            return new Page(title, nav, null, null, true, true, List.of(), csrf, null, null, null);
        }
        List<Page.Choice> choices = new ArrayList<>();
        choices.add(new Page.Choice("personal", "Personal (" + c.user().email() + ")", c.account().personal()));
        for (OrganizationStore.Membership m : c.memberships()) {
            choices.add(new Page.Choice(Long.toString(m.organizationId()), m.name(),
                    Long.valueOf(m.organizationId()).equals(c.account().organizationId())));
        }
        Page.Paused paused = whyBlocked.paused(ref(c)).map(p -> new Page.Paused(p.organization(),
                p.since() == null ? null : Refusal.WHEN.format(p.since()), p.reason(), supportEmail)).orElse(null);
        return new Page(title, nav, c.user().email(), c.account().name(), c.account().personal(), c.account().owner(),
                choices, csrf, null, null, paused);
    }

    void startSession(ServerRequest req, ServerResponse res, long userId) {
        gate.start(req, res, userId, null);
    }

    void endSession(ServerRequest req, ServerResponse res) {
        gate.end(req, res);
    }

    Sessions sessions() {
        return sessions;
    }
}
