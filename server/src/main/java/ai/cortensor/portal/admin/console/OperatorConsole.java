package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.Find;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.sessions.BrowserSessions;
import ai.cortensor.portal.admin.Operator;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.OperatorToken;
import ai.cortensor.portal.admin.Page;
import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.web.SignInThrottle;
import ai.cortensor.portal.web.Web;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console under {@code /admin} (docs/operations.md): server-rendered pages over {@link Operations},
 * the same service the JSON API and the CLI use, so every role check, reason and audit entry is the same. Operators
 * sign in with their operator token; the console then keeps its own short session ({@link OperatorSessions}).
 */
public final class OperatorConsole {
    private static final Logger log = LoggerFactory.getLogger(OperatorConsole.class);

    private final ConsoleGate gate;
    private final Operations ops;
    private final AccountPages accounts;
    private final InspectionPages inspection;
    private final PoolPages pools;
    private final FindPages lists;
    private final DashboardPages dashboard;
    /** How many newest sign-ups and busiest accounts the empty Find page lists. */
    private static final int RECENT = 8;
    private final BillingPages billing;
    private final SignInThrottle throttle;

    public OperatorConsole(Operations ops, OperatorStore operators, BrowserSessions<Operator> sessions,
                           OneTimeTokens tokens, SignInThrottle throttle) {
        this.ops = ops;
        this.gate = new ConsoleGate(sessions, operators, tokens, new Html(), ops);
        this.accounts = new AccountPages(gate, ops);
        this.inspection = new InspectionPages(gate, ops);
        this.pools = new PoolPages(gate, ops);
        this.lists = new FindPages(gate, ops);
        this.dashboard = new DashboardPages(gate, ops);
        this.billing = new BillingPages(gate, ops);
        this.throttle = throttle;
    }

    /** Register after the admin API, whose {@code /admin/api/*} routes must win. */
    public void register(HttpRouting.Builder r) {
        r.get("/admin", this::search);
        r.get("/admin/", (req, res) -> Web.redirect(res, "/admin"));
        r.get("/admin/signin", this::signInPage);
        r.post("/admin/signin", this::signIn);
        r.post("/admin/signout", this::signOut);
        lists.register(r); // before the account and key pages: /admin/keys is a list, /admin/keys/{ref} a key
        dashboard.register(r);
        accounts.register(r);
        inspection.register(r);
        pools.register(r);
        billing.register(r);
        r.any("/admin/*", this::notFound);
    }

    private void signInPage(ServerRequest req, ServerResponse res) {
        if (gate.current(req).isPresent()) {
            Web.redirect(res, next(req.query().first("next").orElse(null)));
            return;
        }
        OperatorPage page = gate.page(req, res, null, "Operator sign-in", "");
        if (req.query().contains("expired")) {
            page = page.withNotice("Your console session ended. Sign in again.", "warn");
        } else if (req.query().contains("signedout")) {
            page = page.withNotice("You are signed out of the console.", null);
        }
        gate.render(res, 200, "admin/signin.jte", page, "next", next(req.query().first("next").orElse(null)),
                "error", null);
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        Map<String, String> form;
        try {
            form = Web.form(req);
        } catch (Web.TooLarge e) {
            gate.message(req, res, null, 413, "Form too large", "That form was larger than we accept (64 KB).");
            return;
        }
        String next = next(form.get("next"));
        if (!gate.csrfOk(req, form)) {
            gate.message(req, res, null, 403, "Page expired",
                    "This form expired or did not come from the console. Reload the page and try again.");
            return;
        }
        String addr = Web.clientAddr(req);
        String tokenId = tokenId(form.get("token"));
        java.time.Duration wait = throttle.waitBefore(tokenId, addr);
        if (!wait.isZero()) {
            long seconds = Math.max(1, wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0));
            log.warn("console sign-in from {} refused unchecked: too many failures, {} s to wait", addr, seconds);
            res.header(HeaderNames.RETRY_AFTER, Long.toString(seconds));
            gate.render(res, 429, "admin/signin.jte", gate.page(req, res, null, "Operator sign-in", ""),
                    "next", next, "error", "Too many failed sign-ins from your network. Try again in "
                            + ai.cortensor.portal.plans.Windows.readable(java.time.Duration.ofSeconds(seconds)) + ".");
            return;
        }
        if (!gate.signIn(req, res, form.get("token"))) {
            throttle.failed(tokenId, addr);
            log.warn("console sign-in refused from {}", addr);
            gate.render(res, 401, "admin/signin.jte", gate.page(req, res, null, "Operator sign-in", ""),
                    "next", next, "error", "That is not a valid operator token. Operator tokens start with ctop_; "
                            + "an admin creates them with 'portal admin operator add'.");
            return;
        }
        throttle.succeeded(tokenId, addr);
        Web.redirect(res, next);
    }

    /** What the throttle counts failures against: the token's public id (never its secret), or "malformed". */
    private static String tokenId(String token) {
        var parsed = OperatorToken.parse(token == null ? null : token.strip());
        return parsed == null ? "malformed" : parsed.publicId();
    }

        private void signOut(ServerRequest req, ServerResponse res) {
        gate.post(req, res).ifPresent(p -> {
            gate.endSession(req, res);
            Web.redirect(res, "/admin/signin?signedout=1");
        });
    }

    /**
     * Find: one box searched in users, organizations and keys ({@link Find}); without a query, the newest sign-ups
     * and the busiest accounts of the last day. Nothing found answers 404 with a sentence naming what was searched.
     */
    private void search(ServerRequest req, ServerResponse res) {
        gate.require(req, res).ifPresent(c -> {
            String q = Find.withoutSecret(req.query().first("q").map(String::strip).orElse(""));
            Find.Found found = null;
            String error = null;
            int status = 200;
            if (!q.isEmpty()) {
                try {
                    found = ops.find().find(q, null);
                    status = found.empty() ? 404 : 200;
                } catch (ActionRefused e) {
                    error = e.getMessage();
                    status = e.kind().status;
                }
            }
            gate.render(res, status, "admin/search.jte", gate.page(req, res, c, "Find", "search"), "q", q,
                    "found", found, "error", error,
                    "recent", q.isEmpty() ? ops.find().users(null, null, RECENT).data() : List.of(),
                    "top", q.isEmpty() ? ops.find().busiestToday(RECENT) : null);
        });
    }

    private void notFound(ServerRequest req, ServerResponse res) {
        gate.require(req, res).ifPresent(c -> gate.message(req, res, c, 404, "Not found",
                "There is no console page at " + req.path().path() + "."));
    }

    private static String next(String next) {
        String n = Web.safeNext(next, ConsoleGate.PATH);
        return n.equals(ConsoleGate.PATH) || n.startsWith(ConsoleGate.PATH + "/") || n.startsWith(ConsoleGate.PATH + "?")
                ? n : ConsoleGate.PATH;
    }
}
