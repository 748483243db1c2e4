package ai.cortensor.portal.admin.cli;

import ai.cortensor.portal.admin.api.AdminApi;
import ai.cortensor.portal.admin.Operator;
import static ai.cortensor.portal.admin.cli.AdminClient.query;
import static ai.cortensor.portal.admin.cli.AdminClient.segment;
import static ai.cortensor.portal.admin.cli.AdminClient.withQuery;
import static ai.cortensor.portal.admin.cli.Tables.col;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portal admin …}: the operator CLI. Every command but {@code create-operator} calls {@code /admin/api} over
 * HTTP with an operator token; output is a table for people, or the API's JSON with {@code --json}. Exit codes:
 * 0 ok, 1 usage error, 2 not found, 3 unauthorized or forbidden, 4 server error or unreachable, 5 reconciliation
 * found a drift.
 */
@Command(name = "admin", description = "Operator commands against a running portal's /admin/api.",
        mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:usage error (bad arguments, missing reason, invalid input)", "2:not found",
                "3:unauthorized or forbidden", "4:server error or server unreachable",
                "5:billing reconcile found a drift"},
        subcommands = {SupportCommands.Find.class, SupportCommands.Users.class, SupportCommands.Orgs.class,
                AdminCommand.Key.class, AdminCommand.Account.class, SupportCommands.Plans.class,
                SupportCommands.Traffic.class, CatalogCommands.Model.class,
                CatalogCommands.Pool.class, CatalogCommands.Target.class, AdminCommand.Operators.class,
                BillingCommands.class,
                picocli.CommandLine.HelpCommand.class})
public final class AdminCommand implements Runnable {
    static final PrintStream OUT = System.out;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(OUT);
    }

    /** The exit code for a failure of an admin command, or null when {@code e} is not one. */
    public static Integer exitCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AdminClient.Failure f) {
                return f.exitCode;
            }
        }
        return null;
    }

    /** Where the server is and who is asking. */
    public static final class Connection {
        @Option(names = "--url", defaultValue = "${env:PORTAL_ADMIN_URL:-http://127.0.0.1:8080}",
                description = "Portal base URL (default: $PORTAL_ADMIN_URL or ${DEFAULT-VALUE}).")
        String url;
        @Option(names = "--token", defaultValue = "${env:PORTAL_ADMIN_TOKEN}",
                description = "Operator token ctop_… (default: $PORTAL_ADMIN_TOKEN).")
        String token;
        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        int show(String path, Consumer<JsonNode> human) {
            return print(new AdminClient(url, token).get(path), human);
        }

        int post(String path, Map<String, ?> body, Consumer<JsonNode> human) {
            return print(new AdminClient(url, token).post(path, body), human);
        }

        int post(String path, Map<String, ?> body, Map<String, String> headers, Consumer<JsonNode> human) {
            return print(new AdminClient(url, token).post(path, body, headers), human);
        }

        JsonNode fetch(String path) {
            return parse(new AdminClient(url, token).get(path));
        }

        private int print(String body, Consumer<JsonNode> human) {
            if (json) {
                OUT.println(body);
            } else {
                human.accept(parse(body));
            }
            return AdminClient.ExitCodes.OK;
        }

        private static JsonNode parse(String body) {
            try {
                return AdminApi.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static Map<String, String> reason(String reason) {
        return Map.of("reason", reason);
    }

    static void next(JsonNode page) {
        if (page.hasNonNull("next_cursor")) {
            OUT.println("more: --cursor " + page.get("next_cursor").asText());
        }
    }

    static final Tables.Column[] KEY_FIELDS = {col("id", "id"), col("prefix", "prefix"), col("name", "name"),
            col("status", "status"), col("account", "account"), col("owner", "owner_email"),
            col("organization", "organization_name"), col("created", "created_at"), col("expires", "expires_at"),
            col("last used", "last_used_at"), col("revoked", "revoked_at"), col("revoked by", "revoked_by"),
            col("revoke reason", "revoked_reason")};
    static final Tables.Column[] KEY_COLUMNS = {col("ID", "id"), col("PREFIX", "prefix"), col("NAME", "name"),
            col("STATUS", "status"), col("ACCOUNT", "account"), col("OWNER", "owner_email"),
            col("CREATED", "created_at"), col("LAST_USED", "last_used_at")};
    static final Tables.Column[] LIMIT_COLUMNS = {col("SCOPE", "scope"), col("LIMIT", "kind"), col("USED", "used"),
            col("MAX", "max"), col("SOURCE", "source"), col("RESETS_IN_S", "resets_in_seconds")};

    static void status(JsonNode s) {
        OUT.println(s.path("blocked").asBoolean() ? "BLOCKED:" : "Not blocked: the next request would be admitted.");
        // in the gateway's order: the first is the error the next request gets
        s.path("reasons").forEach(r -> {
            String headline = ai.cortensor.portal.admin.AccountInsight.headline(r.path("code").asText());
            OUT.println("  " + (headline == null ? "" : headline + " — ") + r.path("code").asText() + " ("
                    + r.path("scope").asText() + "): " + r.path("message").asText());
        });
        Tables.table(OUT, s.path("limits"), LIMIT_COLUMNS);
        JsonNode u = s.path("usage");
        OUT.println("usage: " + u.path("requests24h").asLong() + " requests / " + u.path("tokens24h").asLong()
                + " tokens in 24 h; " + u.path("requests7d").asLong() + " requests / " + u.path("tokens7d").asLong()
                + " tokens in 7 days");
    }

    @Command(name = "whoami", description = "The operator the token belongs to.")
    int whoami(@Mixin Connection c) {
        return c.show("/admin/api/me", n -> OUT.println(n.path("email").asText() + " (" + n.path("role").asText() + ")"));
    }

    @Command(name = "user", description = "Look up a user by email, id or the prefix of one of their keys.")
    int user(@Mixin Connection c, @Parameters(paramLabel = "EMAIL|ID|KEY_PREFIX") String ref) {
        return c.show("/admin/api/users/" + segment(ref), u -> {
            Tables.fields(OUT, u, col("user", "id"), col("account", "account"), col("email", "email"),
                    col("name", "display_name"), col("state", "state"), col("created", "created_at"),
                    col("paused at", "paused.at"), col("paused by", "paused.by"), col("pause reason", "paused.reason"));
            OUT.println();
            OUT.println("Organizations:");
            Tables.table(OUT, u.path("organizations"), col("ORG", "organization_id"), col("NAME", "name"),
                    col("ROLE", "role"));
            OUT.println();
            OUT.println("Personal keys:");
            Tables.table(OUT, c.fetch(withQuery("/admin/api/keys", query("account", u.path("account").asText())))
                    .path("data"), KEY_COLUMNS);
        });
    }

    @Command(name = "org", description = "Look up an organization by id.")
    int org(@Mixin Connection c, @Parameters(paramLabel = "ID") String ref) {
        return c.show("/admin/api/organizations/" + segment(ref), o -> {
            Tables.fields(OUT, o, col("organization", "id"), col("account", "account"), col("name", "name"),
                    col("state", "state"), col("created", "created_at"), col("paused at", "paused.at"),
                    col("paused by", "paused.by"), col("pause reason", "paused.reason"));
            OUT.println();
            Tables.table(OUT, o.path("members"), col("USER", "user_id"), col("EMAIL", "email"), col("ROLE", "role"));
            OUT.println();
            Tables.table(OUT, c.fetch(withQuery("/admin/api/keys", query("account", o.path("account").asText())))
                    .path("data"), KEY_COLUMNS);
        });
    }

    @Command(name = "requests", description = "Recent requests, newest first, filtered.")
    int requests(@Mixin Connection c,
                 @Option(names = "--account", description = "u<user id>, o<org id> or an email") String account,
                 @Option(names = "--user", description = "every request of a user id, any account") Long user,
                 @Option(names = "--key", description = "API key id") Long key,
                 @Option(names = "--model") String model, @Option(names = "--pool") String pool,
                 @Option(names = "--status", description = "blocked, completed, failed, cancelled") String status,
                 @Option(names = "--from", description = "from this instant, e.g. 2026-01-31T00:00:00Z") String from,
                 @Option(names = "--to", description = "before this instant") String to,
                 @Option(names = "--limit", description = "rows per page (1-500, default 50)") Integer limit,
                 @Option(names = "--cursor", description = "next page, as printed after a page") String cursor) {
        return c.show(withQuery("/admin/api/requests", query("account", account, "user", user, "key", key,
                "model", model, "pool", pool, "status", status, "from", from, "to", to, "limit", limit,
                "cursor", cursor)), p -> {
            Tables.table(OUT, p.path("data"), col("REQUEST_ID", "request_id"), col("ACCEPTED", "accepted_at"),
                    col("STATUS", "status"), col("HTTP", "http_status"), col("CODE", "error_code"),
                    col("MODEL", "model"), col("ACCOUNT", "account"), col("KEY", "api_key_id"), col("POOL", "pool"),
                    col("TARGET", "target"), col("MS", "latency_ms"), col("BLOCK_REASON", "block_reason"));
            next(p);
        });
    }

    @Command(name = "request", description = "One request's lifecycle, by request id.")
    int request(@Mixin Connection c, @Parameters(paramLabel = "REQUEST_ID") String id) {
        return c.show("/admin/api/requests/" + segment(id), r -> {
            Tables.fields(OUT, r.path("request"), col("request", "request_id"), col("route", "route"),
                    col("model", "model"), col("account", "account"), col("key", "api_key_id"),
                    col("status", "status"), col("http", "http_status"), col("error", "error_code"),
                    col("block reason", "block_reason"), col("pool", "pool"), col("target", "target"),
                    col("attempts", "attempts"), col("usage recorded", "usage_recorded"));
            OUT.println();
            Tables.table(OUT, r.path("stages"), col("STAGE", "stage"), col("AT", "at"), col("DETAIL", "detail"));
        });
    }

    @Command(name = "audit", description = "The audit log, newest first, filtered.")
    int audit(@Mixin Connection c, @Option(names = "--actor") String actor,
              @Option(names = "--action", description = "e.g. api_key.revoke, account.pause, pool.drain") String action,
              @Option(names = "--target-type", description = "api_key, user, organization, model, router_pool, router_target, operator") String targetType,
              @Option(names = "--target-id") String targetId,
              @Option(names = "--from") String from, @Option(names = "--to") String to,
              @Option(names = "--limit") Integer limit, @Option(names = "--cursor") String cursor) {
        return c.show(withQuery("/admin/api/audit", query("actor", actor, "action", action, "target_type", targetType,
                "target_id", targetId, "from", from, "to", to, "limit", limit, "cursor", cursor)), p -> {
            Tables.table(OUT, p.path("data"), col("ID", "id"), col("TIME", "occurred_at"), col("ACTOR", "actor"),
                    col("ROLE", "actor_role"), col("ACTION", "action"), col("TARGET", "target_type"),
                    col("TARGET_ID", "target_id"), col("BEFORE", "before"), col("AFTER", "after"),
                    col("REASON", "reason"));
            next(p);
        });
    }

    @Command(name = "key", description = "API keys: show, status, list, revoke.")
    static final class Key {
        @Command(name = "show", description = "Key metadata by prefix (ctsr_…) or id.")
        int show(@Mixin Connection c, @Parameters(paramLabel = "KEY") String ref) {
            return c.show("/admin/api/keys/" + segment(ref), k -> Tables.fields(OUT, k, KEY_FIELDS));
        }

        @Command(name = "status", description = "Why requests with this key are refused right now (if they are).")
        int status(@Mixin Connection c, @Parameters(paramLabel = "KEY") String ref,
                   @Option(names = "--model", description = "also check this model") String model) {
            return c.show(withQuery("/admin/api/keys/" + segment(ref) + "/status", query("model", model)), s -> {
                OUT.println(s.path("key").path("prefix").asText() + " (" + s.path("key").path("status").asText()
                        + "), account " + s.path("key").path("account").asText() + ", plan " + s.path("plan").asText());
                AdminCommand.status(s);
            });
        }

        @Command(name = "list", description = "Keys, newest first: of an account, in a state, or matching a query.")
        int list(@Mixin Connection c, @Option(names = "--account") String account,
                 @Option(names = "--state", description = "active or revoked") String state,
                 @Option(names = "--query", description = "keys whose prefix starts with (ctsr_…, 4+ characters) "
                         + "or whose name contains this; not with --account or --state") String q,
                 @Option(names = "--limit") Integer limit, @Option(names = "--cursor") String cursor) {
            return c.show(withQuery("/admin/api/keys", query("q", q, "account", account, "state", state, "limit", limit,
                    "cursor", cursor)), p -> {
                Tables.table(OUT, p.path("data"), KEY_COLUMNS);
                next(p);
            });
        }

        @Command(name = "revoke", description = "Revoke a key now, on every replica.")
        int revoke(@Mixin Connection c, @Parameters(paramLabel = "KEY") String ref,
                   @Option(names = "--reason", required = true, description = "why (goes into the audit log)") String reason) {
            return c.post("/admin/api/keys/" + segment(ref) + "/revoke", reason(reason), d -> OUT.println(
                    (d.path("changed").asBoolean() ? "Revoked " : "Already revoked: ")
                            + d.path("result").path("prefix").asText() + " (" + d.path("result").path("name").asText()
                            + ", account " + d.path("result").path("account").asText() + ")"));
        }
    }

    @Command(name = "account", description = "Accounts (u<user id>, o<organization id> or an email): status, pause, "
            + "unpause, plan, limits; top (accounts by usage).")
    static final class Account {
        @Command(name = "status", description = "Plan, limits, usage and why requests are refused right now.")
        int status(@Mixin Connection c, @Parameters(paramLabel = "ACCOUNT") String account,
                   @Option(names = "--model", description = "also check this model") String model) {
            return c.show(withQuery("/admin/api/accounts/" + segment(account) + "/status", query("model", model)), s -> {
                OUT.println("account " + s.path("account").asText() + " (" + s.path("state").asText() + "), plan "
                        + s.path("plan").asText());
                if (!s.path("limit_overrides").isEmpty()) {
                    OUT.println("limit overrides: " + SupportCommands.pairs(s.path("limit_overrides")));
                }
                AdminCommand.status(s);
            });
        }

        @Command(name = "pause", description = "Pause an account: every key of it is refused with account_paused.")
        int pause(@Mixin Connection c, @Parameters(paramLabel = "ACCOUNT") String account,
                  @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/accounts/" + segment(account) + "/pause", reason(reason),
                    d -> done(d, "Paused", "Already paused:"));
        }

        @Command(name = "unpause", description = "Let a paused account's keys work again.")
        int unpause(@Mixin Connection c, @Parameters(paramLabel = "ACCOUNT") String account,
                    @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/accounts/" + segment(account) + "/unpause", reason(reason),
                    d -> done(d, "Unpaused", "Already active:"));
        }

        @Command(name = "plan", description = "Move the account to another plan (admin; see 'portal admin plan list').")
        int plan(@Mixin Connection c, @Parameters(index = "0", paramLabel = "ACCOUNT") String account,
                 @Parameters(index = "1", paramLabel = "PLAN") String plan,
                 @Option(names = "--reason", required = true, description = "why (goes into the audit log)") String reason) {
            return c.post("/admin/api/accounts/" + segment(account) + "/plan", Map.of("plan", plan, "reason", reason),
                    d -> {
                        JsonNode r = d.path("result");
                        OUT.println(d.path("changed").asBoolean()
                                ? "Moved " + r.path("account").asText() + " from plan " + r.path("before").asText()
                                        + " to " + r.path("after").asText() + "."
                                : r.path("account").asText() + " already is on plan " + r.path("after").asText()
                                        + "; nothing changed.");
                    });
        }

        @Command(name = "limits", description = "Show, set or remove the account's limit overrides (admin to change). "
                + "Limits: rpm, tpm, short_window_requests, short_window_seconds, weekly_requests, weekly_tokens, "
                + "max_concurrent. An override replaces the plan's value for this account only.")
        int limits(@Mixin Connection c, @Parameters(paramLabel = "ACCOUNT") String account,
                   @Option(names = "--set", paramLabel = "LIMIT=N", description = "set an override, e.g. --set rpm=100 (repeatable)")
                   Map<String, String> set,
                   @Option(names = "--unset", paramLabel = "LIMIT", description = "remove an override: the plan's value applies again (repeatable)")
                   java.util.List<String> unset,
                   @Option(names = "--clear", description = "remove every override of the account") boolean clear,
                   @Option(names = "--reason", description = "why (required to change; goes into the audit log)") String reason) {
            String path = "/admin/api/accounts/" + segment(account) + "/limits";
            if ((set == null || set.isEmpty()) && (unset == null || unset.isEmpty()) && !clear) {
                return c.show(path, o -> OUT.println(o.path("limits").isEmpty() ? "No limit overrides: the plan's limits apply."
                        : "Limit overrides: " + SupportCommands.pairs(o.path("limits")) + " (set by "
                                + o.path("updated_by").asText() + " at " + o.path("updated_at").asText() + ": "
                                + o.path("reason").asText() + ")"));
            }
            if (reason == null || reason.isBlank()) {
                throw new AdminClient.Failure(AdminClient.ExitCodes.USAGE, "Missing required option: '--reason=<reason>'");
            }
            Map<String, Object> limits = new java.util.LinkedHashMap<>();
            if (clear) {
                for (String k : SupportCommands.LIMITS) {
                    limits.put(k, null);
                }
            }
            if (unset != null) {
                unset.forEach(k -> limits.put(k, null));
            }
            if (set != null) {
                set.forEach((k, v) -> limits.put(k, SupportCommands.number(k, v)));
            }
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("limits", limits);
            body.put("reason", reason);
            return c.post(path, body, d -> {
                JsonNode r = d.path("result");
                OUT.println(!d.path("changed").asBoolean() ? "Limit overrides of " + r.path("account").asText()
                        + " unchanged: " + SupportCommands.pairs(r.path("after"))
                        : "Limit overrides of " + r.path("account").asText() + ": " + SupportCommands.pairs(r.path("before"))
                                + " -> " + SupportCommands.pairs(r.path("after")));
            });
        }

        @Command(name = "top", description = "Accounts by served usage over a window, most first.")
        int top(@Mixin Connection c,
                @Option(names = "--window", description = "1h, 24h, 7d or 30d (default 24h)") String window,
                @Option(names = "--by", description = "tokens (default) or requests") String by,
                @Option(names = "--limit", description = "rows per page (1-500, default 50)") Integer limit,
                @Option(names = "--cursor", description = "next page, as printed after a page") String cursor) {
            return c.show(withQuery("/admin/api/accounts/by-usage", query("window", window, "by", by, "limit", limit,
                    "cursor", cursor)), p -> {
                OUT.println("Accounts by " + p.path("by").asText() + " over the last " + p.path("window").asText()
                        + " (since " + p.path("since").asText() + "):");
                Tables.table(OUT, p.path("data"), col("ACCOUNT", "account"), col("TYPE", "type"), col("NAME", "name"),
                        col("STATE", "state"), col("REQUESTS", "requests"), col("TOKENS", "tokens"));
                next(p);
            });
        }

        private static void done(JsonNode d, String changed, String unchanged) {
            JsonNode a = d.path("result");
            OUT.println((d.path("changed").asBoolean() ? changed : unchanged) + " " + a.path("account").asText() + " ("
                    + (a.has("email") ? a.path("email").asText() : a.path("name").asText()) + ")");
        }
    }

    @Command(name = "operator", description = "Operators: list, add (prints the new token once), disable (admin only).")
    static final class Operators {
        @Command(name = "list", description = "Active operators.")
        int list(@Mixin Connection c) {
            return c.show("/admin/api/operators", o -> Tables.table(OUT, o.path("data"), col("ID", "id"),
                    col("EMAIL", "email"), col("ROLE", "role"), col("CREATED", "created_at")));
        }

        @Command(name = "disable", description = "Disable an operator: revokes all their tokens and ends their console sessions.")
        int disable(@Mixin Connection c, @Option(names = "--email", required = true) String email,
                    @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/operators/" + segment(email) + "/disable", reason(reason), o ->
                    OUT.println(o.path("changed").asBoolean()
                            ? "Disabled operator " + email + "; their tokens and console sessions no longer work."
                            : "Operator " + email + " was already disabled; nothing changed."));
        }

        @Command(name = "add", description = "Create an operator, or give an existing one a new token and this role.")
        int add(@Mixin Connection c, @Option(names = "--email", required = true) String email,
                @Option(names = "--role", required = true, description = "admin or support") String role,
                @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/operators", Map.of("email", email, "role", role, "reason", reason), o -> {
                OUT.println("Operator " + o.path("operator").path("email").asText() + " ("
                        + o.path("operator").path("role").asText() + "). This is the only time the token is shown:");
                OUT.println(o.path("token").asText());
            });
        }
    }
}
