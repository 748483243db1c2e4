package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.web.Csrf;
import ai.cortensor.portal.web.Web;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is asking, and may they: resolves the session cookie, sends signed-out browsers to sign-in (and back after),
 * and checks the CSRF token on every state-changing request ({@link Csrf}: a double-submit cookie).
 */
final class Gate {
    static final String SESSION_COOKIE = "portal_session";
    static final String CSRF_COOKIE = "portal_csrf";

    private final Sessions sessions;
    private final Csrf csrf;

    Gate(Sessions sessions, OneTimeTokens tokens) {
        this.sessions = sessions;
        this.csrf = new Csrf(CSRF_COOKIE, "/", SetCookie.SameSite.LAX, Duration.ofDays(30), tokens::next);
    }

    Optional<Sessions.Current> current(ServerRequest req) {
        return sessions.resolve(Web.cookie(req, SESSION_COOKIE));
    }

    /** The signed-in user, or empty after redirecting the browser to sign-in with a way back here. */
    Optional<Sessions.Current> requirePage(ServerRequest req, ServerResponse res) {
        Optional<Sessions.Current> c = current(req);
        if (c.isEmpty()) {
            String here = req.path().path() + (req.query().rawValue().isEmpty() ? "" : "?" + req.query().rawValue());
            Web.redirect(res, "/signin?next=" + URLEncoder.encode(here, StandardCharsets.UTF_8)
                    + (Web.cookie(req, SESSION_COOKIE) != null ? "&expired=1" : ""));
        }
        return c;
    }

    /** The CSRF token for this browser, setting the cookie when it has none. */
    String csrf(ServerRequest req, ServerResponse res) {
        return csrf.token(req, res);
    }

    /** True when the request repeats this browser's CSRF cookie in the form or the header. */
    boolean csrfOk(ServerRequest req, Map<String, String> form) {
        return csrf.ok(req, form);
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
        String token = sessions.start(userId, req.headers().first(io.helidon.http.HeaderNames.USER_AGENT).orElse(null),
                Web.clientAddr(req));
        Web.setCookie(res, SESSION_COOKIE, token, Sessions.ABSOLUTE, true, Web.secure(req));
    }

    Sessions sessions() {
        return sessions;
    }
}
