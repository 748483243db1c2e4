package ai.cortensor.portal.sessions;

import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.web.Csrf;
import ai.cortensor.portal.web.Web;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Who is asking, and may they — for one audience: resolves its session cookie (the other audience's cookie never
 * counts), sends signed-out browsers to its sign-in page and back after, and checks the CSRF token on every
 * state-changing request ({@link Csrf}: a double-submit cookie). Both cookies are HttpOnly and scoped to
 * {@link Cookies#path}.
 */
public final class SessionGate<P> {
    /**
     * The audience's cookies (names, path, SameSite) and where signed-out browsers go. After signing in they return
     * to the page they asked for; a form posted while signed out returns to its own URL as a page, or to
     * {@code formHome} when the audience's form URLs are not pages (null: its own URL).
     */
    public record Cookies(String session, String csrf, String path, SetCookie.SameSite sameSite, String signInPath,
                          String formHome) {}

    private final BrowserSessions<P> sessions;
    private final Cookies cookies;
    private final Csrf csrf;

    public SessionGate(BrowserSessions<P> sessions, Cookies cookies, OneTimeTokens tokens) {
        this.sessions = sessions;
        this.cookies = cookies;
        this.csrf = new Csrf(cookies.csrf(), cookies.path(), cookies.sameSite(), sessions.policy().absolute(),
                tokens::next);
    }

    public BrowserSessions<P> sessions() {
        return sessions;
    }

    public Optional<BrowserSessions.Live<P>> current(ServerRequest req) {
        return sessions.resolve(Web.cookie(req, cookies.session()));
    }

    /**
     * The signed-in session, or empty after sending the browser to sign in with a way back (see {@link Cookies}).
     */
    public Optional<BrowserSessions.Live<P>> require(ServerRequest req, ServerResponse res) {
        Optional<BrowserSessions.Live<P>> c = current(req);
        if (c.isEmpty()) {
            String here = req.prologue().method().text().equals("GET") || cookies.formHome() == null
                    ? req.path().path() + (req.query().rawValue().isEmpty() ? "" : "?" + req.query().rawValue())
                    : cookies.formHome();
            Web.redirect(res, cookies.signInPath() + "?next=" + URLEncoder.encode(here, StandardCharsets.UTF_8)
                    + (Web.cookie(req, cookies.session()) != null ? "&expired=1" : ""));
        }
        return c;
    }

    /** The CSRF token for this browser, setting the cookie when it has none. */
    public String csrf(ServerRequest req, ServerResponse res) {
        return csrf.token(req, res);
    }

    /** True when the request repeats this browser's CSRF cookie in the form or the header. */
    public boolean csrfOk(ServerRequest req, Map<String, String> form) {
        return csrf.ok(req, form);
    }

    /** Opens a session for {@code principalId} and hands the browser its cookie. */
    public void start(ServerRequest req, ServerResponse res, long principalId, Long credentialId) {
        String token = sessions.start(principalId, credentialId,
                req.headers().first(HeaderNames.USER_AGENT).orElse(null), Web.clientAddr(req));
        Web.setCookie(res, cookies.session(), token, cookies.path(), cookies.sameSite(), sessions.policy().absolute(),
                true, Web.secure(req));
    }

    /** Ends this browser's session (if any) and clears its cookie. */
    public void end(ServerRequest req, ServerResponse res) {
        current(req).ifPresent(c -> sessions.end(c.row().id(), c.row().principalId()));
        Web.clearCookie(res, cookies.session(), cookies.path());
    }
}
