package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.accounts.User;
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
 * CSRF double-submit cookie {@code portal_csrf}) plus what the portal's pages need of the signed-in customer.
 */
final class Gate {
    static final SessionGate.Cookies COOKIES = new SessionGate.Cookies("portal_session", "portal_csrf", "/",
            SetCookie.SameSite.LAX, "/signin", null);

    private final Sessions sessions;
    private final SessionGate<User> gate;

    Gate(Sessions sessions, OneTimeTokens tokens) {
        this.sessions = sessions;
        this.gate = new SessionGate<>(sessions.browser(), COOKIES, tokens);
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
            return new Page(title, nav, null, null, true, true, List.of(), csrf, null, null);
        }
        List<Page.Choice> choices = new ArrayList<>();
        choices.add(new Page.Choice("personal", "Personal (" + c.user().email() + ")", c.account().personal()));
        for (OrganizationStore.Membership m : c.memberships()) {
            choices.add(new Page.Choice(Long.toString(m.organizationId()), m.name(),
                    Long.valueOf(m.organizationId()).equals(c.account().organizationId())));
        }
        return new Page(title, nav, c.user().email(), c.account().name(), c.account().personal(), c.account().owner(),
                choices, csrf, null, null);
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
