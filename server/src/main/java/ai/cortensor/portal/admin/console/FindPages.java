package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.DirectoryStore;
import ai.cortensor.portal.admin.Find;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.admin.Page;
import ai.cortensor.portal.accounts.AccountDirectory;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The console's lists of customers (issue 14): users (the newest sign-ups, or those whose email or name contains
 * the query), organizations, keys (by prefix or name) and accounts by usage over a window — each newest (or busiest)
 * first with a keyset "Next page". Every list says what it searched; a refused query shows the page with the reason.
 */
final class FindPages {
    private static final int PAGE = 50;

    private final ConsoleGate gate;
    private final Operations ops;

    FindPages(ConsoleGate gate, Operations ops) {
        this.gate = gate;
        this.ops = ops;
    }

    void register(HttpRouting.Builder r) {
        r.get("/admin/users", (req, res) -> gate.require(req, res).ifPresent(c -> users(req, res, c)));
        r.get("/admin/organizations", (req, res) -> gate.require(req, res).ifPresent(c -> organizations(req, res, c)));
        r.get("/admin/keys", (req, res) -> gate.require(req, res).ifPresent(c -> keys(req, res, c)));
        r.get("/admin/usage", (req, res) -> gate.require(req, res).ifPresent(c -> usage(req, res, c)));
    }

    private void users(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String q = query(req, "q");
        String cursor = orNull(query(req, "cursor"));
        try {
            Page<AccountDirectory.UserSummary> p = ops.find().users(q, cursor, PAGE);
            String summary = q.isEmpty()
                    ? (p.data().isEmpty() ? "Nobody has signed up yet." : "Every user, newest sign-up first.")
                    : p.data().isEmpty() ? "No users' email or name contains “" + q + "”."
                    : "Users whose email or name contains “" + q + "”, newest first.";
            list(req, res, c, 200, q.isEmpty() ? "Sign-ups" : "Users", "users", q, summary, p, null, null,
                    p.nextCursor(), cursor);
        } catch (ActionRefused e) {
            list(req, res, c, e.kind().status, "Users", "users", q, e.getMessage(), null, null, null, null, null);
        }
    }

    private void organizations(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String q = query(req, "q");
        String cursor = orNull(query(req, "cursor"));
        try {
            Page<AccountDirectory.OrganizationSummary> p = ops.find().organizations(q, cursor, PAGE);
            String summary = q.isEmpty()
                    ? (p.data().isEmpty() ? "There are no organizations yet." : "Every organization, newest first.")
                    : p.data().isEmpty() ? "No organization's name contains “" + q + "”."
                    : "Organizations whose name contains “" + q + "”, newest first.";
            list(req, res, c, 200, "Organizations", "organizations", q, summary, null, p, null, p.nextCursor(), cursor);
        } catch (ActionRefused e) {
            list(req, res, c, e.kind().status, "Organizations", "organizations", q, e.getMessage(), null, null, null,
                    null, null);
        }
    }

    private void keys(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String q = Find.withoutSecret(query(req, "q"));
        String cursor = orNull(query(req, "cursor"));
        try {
            Page<DirectoryStore.KeyRecord> p = q.isEmpty() ? ops.keys(null, null, cursor, PAGE)
                    : ops.find().keys(q, cursor, PAGE);
            String summary = q.isEmpty() ? "Every key, newest first."
                    : p.data().isEmpty() ? "No key's prefix starts with or name contains “" + q + "”."
                    : "Keys whose prefix starts with or name contains “" + q + "”, newest first.";
            list(req, res, c, 200, "Keys", "keys", q, summary, null, null, p, p.nextCursor(), cursor);
        } catch (ActionRefused e) {
            list(req, res, c, e.kind().status, "Keys", "keys", q, e.getMessage(), null, null, null, null, null);
        }
    }

    private void list(ServerRequest req, ServerResponse res, OperatorSessions.Current c, int status, String title,
                      String kind, String q, String summary, Page<AccountDirectory.UserSummary> users,
                      Page<AccountDirectory.OrganizationSummary> orgs, Page<DirectoryStore.KeyRecord> keys,
                      String nextCursor, String cursor) {
        String base = "/admin/" + kind + (q.isEmpty() ? "" : "?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
        String join = q.isEmpty() ? "?" : "&";
        gate.render(res, status, "admin/list.jte", gate.page(req, res, c, title, "search"), "kind", kind, "q", q,
                "summary", summary, "users", users, "orgs", orgs, "keys", keys,
                "next", nextCursor == null ? null : base + join + "cursor=" + nextCursor,
                "first", cursor == null ? null : base);
    }

    private void usage(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String window = query(req, "window");
        String by = query(req, "by");
        String cursor = query(req, "cursor");
        Find.Ranking ranking;
        try {
            ranking = ops.find().accountsByUsage(window.isEmpty() ? null : window, by.isEmpty() ? null : by,
                    cursor.isEmpty() ? null : cursor, PAGE);
        } catch (ActionRefused e) {
            gate.message(req, res, c, e.kind().status, "Accounts by usage", e.getMessage());
            return;
        }
        String base = "/admin/usage?window=" + ranking.window() + "&by=" + ranking.by();
        gate.render(res, 200, "admin/usage.jte", gate.page(req, res, c, "Accounts by usage", "search"),
                "ranking", ranking, "windows", List.copyOf(Find.WINDOWS.keySet()),
                "next", ranking.nextCursor() == null ? null : base + "&cursor=" + ranking.nextCursor(),
                "first", cursor.isEmpty() ? null : base);
    }

    private static String orNull(String s) {
        return s.isEmpty() ? null : s;
    }

    private static String query(ServerRequest req, String name) {
        return req.query().first(name).map(String::strip).orElse("");
    }
}
