package ai.cortensor.portal.admin.cli;

import static ai.cortensor.portal.admin.cli.AdminClient.query;
import static ai.cortensor.portal.admin.cli.AdminClient.withQuery;
import static ai.cortensor.portal.admin.cli.AdminCommand.OUT;
import static ai.cortensor.portal.admin.cli.AdminCommand.next;
import static ai.cortensor.portal.admin.cli.Tables.col;

import ai.cortensor.portal.admin.api.AdminApi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portal admin find|users|orgs|plan|traffic}: finding customers, plans and the traffic dashboard in the
 * operator CLI (see {@link AdminCommand}; account plan and limit changes are under {@code account}).
 */
final class SupportCommands {
    private SupportCommands() {}

    /** The limits an account override may set, as {@code account limits --set} names them. */
    static final List<String> LIMITS = ai.cortensor.portal.plans.LimitOverrides.KEYS;

    static final Tables.Column[] USER_COLUMNS = {col("ACCOUNT", "account"), col("EMAIL", "email"),
            col("NAME", "display_name"), col("STATE", "state"), col("ORGS", "organizations"),
            col("SIGNED_UP", "created_at")};
    static final Tables.Column[] ORG_COLUMNS = {col("ACCOUNT", "account"), col("NAME", "name"), col("STATE", "state"),
            col("MEMBERS", "members"), col("CREATED", "created_at")};

    /** {@code rpm=100, tpm=200000} in the order of {@link #LIMITS} (others after); "none" for an empty object. */
    static String pairs(JsonNode o) {
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        keys.sort(java.util.Comparator.comparingInt(k -> LIMITS.contains(k) ? LIMITS.indexOf(k) : LIMITS.size()));
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            out.add(k + "=" + o.path(k).asText());
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    /** A whole number given on the command line for a limit (the server checks the range). */
    static Long number(String limit, String value) {
        try {
            return Long.parseLong(value.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new AdminClient.Failure(AdminClient.ExitCodes.USAGE,
                    "--set " + limit + "=" + value + ": give a whole number, e.g. --set " + limit + "=100");
        }
    }

    @Command(name = "find", description = "Find users (any part of an email, an @domain, a name), organizations (name) "
            + "and keys (ctsr_ prefix or name); also u12, o3 or an id. Lists the first matches of each.")
    static final class Find implements java.util.concurrent.Callable<Integer> {
        @Mixin AdminCommand.Connection c;
        @Parameters(paramLabel = "QUERY") String q;
        @Option(names = "--limit", description = "matches per list (1-500, default 20)") Integer limit;

        @Override
        public Integer call() {
            return c.show(withQuery("/admin/api/search", query("q", q, "limit", limit)), f -> {
                OUT.println(f.path("message").asText());
                section("Users", f.path("users"), "users", USER_COLUMNS);
                section("Organizations", f.path("organizations"), "orgs", ORG_COLUMNS);
                section("Keys", f.path("keys"), "key list --query", AdminCommand.KEY_COLUMNS);
            });
        }

        private void section(String title, JsonNode page, String command, Tables.Column... columns) {
            if (page.path("data").isEmpty()) {
                return;
            }
            OUT.println();
            OUT.println(title + ":");
            Tables.table(OUT, page.path("data"), columns);
            if (page.hasNonNull("next_cursor")) {
                OUT.println("more: portal admin " + command + " '" + f(q) + "' --cursor " + page.get("next_cursor").asText());
            }
        }

        private static String f(String s) {
            return s.replace("'", "'\\''");
        }
    }

    @Command(name = "users", description = "Users whose email or name contains QUERY, newest first; without QUERY, "
            + "the newest sign-ups.")
    static final class Users implements java.util.concurrent.Callable<Integer> {
        @Mixin AdminCommand.Connection c;
        @Parameters(paramLabel = "QUERY", arity = "0..1") String q;
        @Option(names = "--limit", description = "rows per page (1-500, default 50)") Integer limit;
        @Option(names = "--cursor", description = "next page, as printed after a page") String cursor;

        @Override
        public Integer call() {
            return c.show(withQuery("/admin/api/users", query("q", q, "limit", limit, "cursor", cursor)), p -> {
                OUT.println(q == null ? "Newest sign-ups:" : "Users whose email or name contains “" + q + "”:");
                Tables.table(OUT, p.path("data"), USER_COLUMNS);
                next(p);
            });
        }
    }

    @Command(name = "orgs", description = "Organizations whose name contains QUERY (all without), newest first.")
    static final class Orgs implements java.util.concurrent.Callable<Integer> {
        @Mixin AdminCommand.Connection c;
        @Parameters(paramLabel = "QUERY", arity = "0..1") String q;
        @Option(names = "--limit", description = "rows per page (1-500, default 50)") Integer limit;
        @Option(names = "--cursor", description = "next page, as printed after a page") String cursor;

        @Override
        public Integer call() {
            return c.show(withQuery("/admin/api/organizations", query("q", q, "limit", limit, "cursor", cursor)), p -> {
                OUT.println(q == null ? "Organizations, newest first:" : "Organizations whose name contains “" + q + "”:");
                Tables.table(OUT, p.path("data"), ORG_COLUMNS);
                next(p);
            });
        }
    }

    @Command(name = "plan", description = "Plans: list (move an account with 'portal admin account plan').")
    static final class Plans {
        @Command(name = "list", description = "Every plan with its limits.")
        int list(@Mixin AdminCommand.Connection c) {
            return c.show("/admin/api/plans", p -> {
                var rows = AdminApi.JSON.createArrayNode();
                p.path("data").forEach(plan -> rows.add(AdminApi.JSON.createObjectNode()
                        .put("code", plan.path("code").asText()).put("name", plan.path("name").asText())
                        .put("limits", pairs(plan.path("limits")))));
                Tables.table(OUT, rows, col("PLAN", "code"), col("NAME", "name"), col("LIMITS", "limits"));
            });
        }
    }

    @Command(name = "traffic", description = "Requests, error rate, latency p50/p99 and tokens over the last hour or "
            + "day, overall, per model and per pool (the console's dashboard).")
    static final class Traffic implements java.util.concurrent.Callable<Integer> {
        @Mixin AdminCommand.Connection c;
        @Option(names = "--window", description = "1h (default) or 24h") String window;

        @Override
        public Integer call() {
            return c.show(withQuery("/admin/api/traffic", query("window", window)), t -> {
                OUT.println("Traffic from " + t.path("from").asText() + " to " + t.path("to").asText() + " ("
                        + t.path("window").asText() + ", " + t.path("bucket_seconds").asLong() + " s buckets)");
                var all = AdminApi.JSON.createArrayNode();
                all.add(row("all", t.path("totals")));
                OUT.println();
                table(all, "");
                OUT.println();
                var models = AdminApi.JSON.createArrayNode();
                t.path("models").forEach(m -> models.add(row(m.path("name").asText(), m.path("totals"))));
                table(models, "MODEL");
                OUT.println();
                var pools = AdminApi.JSON.createArrayNode();
                t.path("pools").forEach(p -> pools.add(row(p.path("name").asText(), p.path("totals"))));
                table(pools, "POOL");
            });
        }

        private static com.fasterxml.jackson.databind.node.ObjectNode row(String name, JsonNode s) {
            return AdminApi.JSON.createObjectNode().put("name", name).put("requests", s.path("requests").asLong())
                    .put("failed", s.path("failed").asLong()).put("blocked", s.path("blocked").asLong())
                    .put("error_rate", s.hasNonNull("error_rate")
                            ? String.format(Locale.ENGLISH, "%.1f%%", s.path("error_rate").asDouble() * 100) : "-")
                    .put("p50", s.hasNonNull("p50_ms") ? s.path("p50_ms").asText() : "-")
                    .put("p99", s.hasNonNull("p99_ms") ? s.path("p99_ms").asText() : "-")
                    .put("tokens", s.path("tokens").asLong());
        }

        private static void table(JsonNode rows, String first) {
            Tables.table(OUT, rows, col(first.isEmpty() ? "WINDOW" : first, "name"), col("REQUESTS", "requests"),
                    col("FAILED", "failed"), col("BLOCKED", "blocked"), col("ERROR_RATE", "error_rate"),
                    col("P50_MS", "p50"), col("P99_MS", "p99"), col("TOKENS", "tokens"));
        }
    }
}
