package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.InspectionStore;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.admin.Operator;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.sessions.BrowserSessions;
import ai.cortensor.portal.sessions.SessionGate;
import ai.cortensor.portal.admin.Page;
import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.web.Web;
import ai.cortensor.portal.web.WebHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who is asking the console, and may they: only the console's own session cookie counts (a customer's portal
 * session or API key never does); signed-out browsers go to the operator sign-in; every POST must repeat the
 * console's CSRF cookie. Both cookies are HttpOnly, SameSite=Strict and scoped to {@code /admin}.
 */
final class ConsoleGate {
    static final String PATH = "/admin";
    static final SessionGate.Cookies COOKIES = new SessionGate.Cookies("admin_session", "admin_csrf", PATH,
            SetCookie.SameSite.STRICT, "/admin/signin", PATH);

    private final SessionGate<Operator> gate;
    private final OperatorStore operators;
    private final Html html;
    private final Operations ops;

    ConsoleGate(BrowserSessions<Operator> sessions, OperatorStore operators, OneTimeTokens tokens, Html html,
                Operations ops) {
        this.gate = new SessionGate<>(sessions, COOKIES, tokens);
        this.operators = operators;
        this.html = html;
        this.ops = ops;
    }

    Optional<OperatorSessions.Current> current(ServerRequest req) {
        return gate.current(req).map(ConsoleGate::current);
    }

    /** The signed-in operator, or empty after sending the browser to sign in (and back here after). */
    Optional<OperatorSessions.Current> require(ServerRequest req, ServerResponse res) {
        return gate.require(req, res).map(ConsoleGate::current);
    }

    private static OperatorSessions.Current current(BrowserSessions.Live<Operator> live) {
        return new OperatorSessions.Current(live.row().id(), live.principal());
    }

    /**
     * The fields of a POSTed form from a signed-in operator with a valid CSRF token; otherwise empty after answering
     * (sign-in redirect, 413 or a 403 "page expired" page). Nothing is done for a refused form.
     */
    Optional<Posted> post(ServerRequest req, ServerResponse res) {
        Map<String, String> form;
        try {
            form = Web.form(req);
        } catch (Web.TooLarge e) {
            message(req, res, null, 413, "Form too large", "That form was larger than we accept (64 KB). Nothing was done.");
            return Optional.empty();
        }
        if (!gate.csrfOk(req, form)) {
            message(req, res, current(req).orElse(null), 403, "Page expired",
                    "This form expired or did not come from the console, so nothing was done. Reload the page and try again.");
            return Optional.empty();
        }
        return require(req, res).map(c -> new Posted(c, form, c.operator().actor(WebHeaders.requestId(res),
                Web.clientAddr(req))));
    }

    /** True when a form repeats the console's CSRF cookie (for the sign-in form, posted before any session). */
    boolean csrfOk(ServerRequest req, Map<String, String> form) {
        return gate.csrfOk(req, form);
    }

    /** A checked form: who posted it, its fields, and the actor the audit log will name. */
    record Posted(OperatorSessions.Current current, Map<String, String> form, Actor actor) {
        String field(String name) {
            String v = form.get(name);
            return v == null || v.isBlank() ? null : v.strip();
        }
    }

    /** The layout's data; after an action's redirect ({@code ?done=<audit id>} or {@code ?unchanged=1}) it says what happened. */
    OperatorPage page(ServerRequest req, ServerResponse res, OperatorSessions.Current c, String title, String nav) {
        String token = gate.csrf(req, res);
        if (c == null) {
            return new OperatorPage(title, nav, null, null, token, null, null, null);
        }
        InspectionStore.AuditEntry done = null;
        String notice = null;
        String doneId = req.query().first("done").orElse("");
        if (doneId.matches("\\d{1,18}")) {
            done = ops.inspection().auditEntry(Long.parseLong(doneId)).orElse(null);
            notice = done == null ? null : "Done. It is in the audit log as entry " + done.id() + ".";
        } else if (req.query().contains("unchanged")) {
            notice = "Nothing changed: it already was in that state (or this form was sent before), so nothing was "
                    + "audited.";
        }
        return new OperatorPage(title, nav, c.operator().email(), c.operator().role(), token, notice, null, done);
    }

    /** A page of the console that can show itself again with a notice (after a refused action). */
    @FunctionalInterface
    interface View {
        void show(ServerRequest req, ServerResponse res, OperatorSessions.Current c, String error, int status);
    }

    /** One operator action; true when it changed something (and so wrote an audit entry). */
    @FunctionalInterface
    interface Change {
        boolean run(Posted p);
    }

    /**
     * Runs a POSTed action through {@link Operations} (which checks the role, the reason and audits), then sends the
     * browser back to the form's page ({@code back}) saying what changed; a refusal shows that page again with
     * the reason and its status (400, 403, 404, 409), having changed nothing.
     */
    void act(ServerRequest req, ServerResponse res, View view, Change change) {
        Optional<Posted> posted = post(req, res);
        if (posted.isEmpty()) {
            return;
        }
        Posted p = posted.get();
        String back = Web.safeNext(p.field("back"), PATH);
        if (!back.equals(PATH) && !back.startsWith(PATH + "/")) {
            back = PATH;
        }
        try {
            boolean changed = change.run(p);
            String written = changed ? ops.inspection().auditWrittenBy(p.actor()).map(e -> "done=" + e.id()).orElse("done=0")
                    : "unchanged=1";
            Web.redirect(res, back + (back.contains("?") ? "&" : "?") + written);
        } catch (ActionRefused e) {
            view.show(req, res, p.current(), e.getMessage(), e.kind().status);
        }
    }

    void render(ServerResponse res, int status, String template, OperatorPage page, Object... params) {
        Map<String, Object> p = new HashMap<>();
        p.put("page", page);
        for (int i = 0; i < params.length; i += 2) {
            p.put((String) params[i], params[i + 1]);
        }
        res.header(HeaderNames.create("X-Robots-Tag"), "noindex");
        html.render(res, status, template, p);
    }

    void message(ServerRequest req, ServerResponse res, OperatorSessions.Current c, int status, String title,
                 String text) {
        render(res, status, "admin/message.jte", page(req, res, c, title, ""), "text", text);
    }

    /** Opens a console session for the holder of {@code operatorToken}; false when it is not a live operator token. */
    boolean signIn(ServerRequest req, ServerResponse res, String operatorToken) {
        return operators.authenticateToken(operatorToken == null ? null : operatorToken.strip()).map(signed -> {
            gate.start(req, res, signed.operator().id(), signed.tokenId());
            return true;
        }).orElse(false);
    }

    void endSession(ServerRequest req, ServerResponse res) {
        gate.end(req, res);
    }
}
