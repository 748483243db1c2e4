package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.AccountId;
import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.DirectoryStore;
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
import java.util.ArrayList;
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
    private final BillingPages billing;
    private final SignInThrottle throttle;

    public OperatorConsole(Operations ops, OperatorStore operators, BrowserSessions<Operator> sessions,
                           OneTimeTokens tokens, SignInThrottle throttle) {
        this.ops = ops;
        this.gate = new ConsoleGate(sessions, operators, tokens, new Html(), ops);
        this.accounts = new AccountPages(gate, ops);
        this.inspection = new InspectionPages(gate, ops);
        this.pools = new PoolPages(gate, ops);
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

    /** A search result: what was found, a line about it, and its console page. */
    public record Hit(String kind, String label, String detail, String href) {}

    private void search(ServerRequest req, ServerResponse res) {
        gate.require(req, res).ifPresent(c -> {
            String q = withoutSecret(req.query().first("q").map(String::strip).orElse(""));
            List<Hit> hits = new ArrayList<>();
            String error = null;
            if (!q.isEmpty()) {
                List<String> refused = new ArrayList<>();
                for (Lookup l : lookups(q)) {
                    try {
                        l.find(hits);
                    } catch (ActionRefused e) {
                        refused.add(e.getMessage());
                    }
                }
                if (hits.isEmpty()) {
                    error = refused.isEmpty() ? "Nothing matches " + q + "." : String.join(" ", refused);
                }
            }
            gate.render(res, q.isEmpty() || !hits.isEmpty() ? 200 : 404, "admin/search.jte",
                    gate.page(req, res, c, "Find", "search"), "q", q, "hits", hits, "error", error);
        });
    }

    @FunctionalInterface
    private interface Lookup {
        void find(List<Hit> hits);
    }

    /** What the one search box tries for a query: an email, an account id, a numeric id, or a key prefix. */
    private List<Lookup> lookups(String q) {
        List<Lookup> l = new ArrayList<>();
        if (q.contains("@")) {
            l.add(hits -> user(hits, ops.user(q)));
        } else if (AccountId.parse(q) != null) {
            AccountId a = AccountId.parse(q);
            l.add(hits -> {
                if (a.organization()) {
                    organization(hits, ops.organization(a.toString()));
                } else {
                    user(hits, ops.user(Long.toString(a.id())));
                }
            });
        } else if (q.chars().allMatch(Character::isDigit)) {
            l.add(hits -> user(hits, ops.user(q)));
            l.add(hits -> organization(hits, ops.organization(q)));
            l.add(hits -> key(hits, ops.key(q)));
        } else {
            l.add(hits -> {
                DirectoryStore.KeyRecord k = ops.key(q);
                key(hits, k);
                hits.add(new Hit("Account", k.organizationId() == null ? k.ownerEmail() : k.organizationName(),
                        "owner of " + k.prefix() + " (" + k.account() + ")", "/admin/accounts/" + k.account()));
            });
        }
        return l;
    }

    private static void user(List<Hit> hits, DirectoryStore.UserRecord u) {
        hits.add(new Hit("User", u.email(), u.account() + " · " + u.state(), "/admin/accounts/" + u.account()));
    }

    private static void organization(List<Hit> hits, DirectoryStore.OrganizationRecord o) {
        hits.add(new Hit("Organization", o.name(), o.account() + " · " + o.state(), "/admin/accounts/" + o.account()));
    }

    private static void key(List<Hit> hits, DirectoryStore.KeyRecord k) {
        hits.add(new Hit("Key", k.prefix(), "“" + k.name() + "” of " + k.ownerEmail() + " · " + k.status(),
                "/admin/keys/" + k.id()));
    }

    /** A pasted full key ({@code ctsr_<public id>_<secret>}) cut to its prefix, so the page never echoes a secret. */
    private static String withoutSecret(String q) {
        String p = ai.cortensor.portal.keys.KeyFormat.PREFIX;
        int secret = q.startsWith(p) ? q.indexOf('_', p.length()) : -1;
        return secret < 0 ? q : q.substring(0, secret);
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
