package ai.cortensor.portal.admin.cli;

import static ai.cortensor.portal.admin.cli.AdminClient.query;
import static ai.cortensor.portal.admin.cli.AdminClient.segment;
import static ai.cortensor.portal.admin.cli.AdminClient.withQuery;
import static ai.cortensor.portal.admin.cli.AdminCommand.OUT;
import static ai.cortensor.portal.admin.cli.Tables.col;

import ai.cortensor.portal.admin.api.AdminApi;
import ai.cortensor.portal.billing.Money;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portal admin billing …}: balances, an account's ledger, grants and adjustments of credits, spend per model
 * and day, and reconciliation. Amounts are typed and shown in USD ({@code 25}, {@code 0.50}, {@code -3.25}) and sent
 * to the API as exact micro-USD integers ({@link Money}); {@code --json} prints the API's integers.
 */
@Command(name = "billing", description = "Money: balances, ledger, grant and adjust credits, spend, reconcile.",
        mixinStandardHelpOptions = true)
final class BillingCommands {
    @Command(name = "balances", description = "Every account's balance, least available first (who runs out next).")
    int balances(@Mixin AdminCommand.Connection c,
                 @Option(names = "--sort", description = "available (default), -available (most first) or account")
                 String sort,
                 @Option(names = "--limit", description = "rows per page (1-500, default 50)") Integer limit,
                 @Option(names = "--cursor", description = "next page, as printed after a page") String cursor) {
        return c.show(withQuery("/admin/api/billing/balances", query("sort", sort, "limit", limit, "cursor", cursor)),
                p -> {
                    Tables.table(OUT, usd(p.path("data"), "balance_micros", "reserved_micros", "available_micros",
                                    "low_balance_micros"), col("ACCOUNT", "account"), col("NAME", "name"),
                            col("BALANCE", "balance_usd"), col("HELD", "reserved_usd"),
                            col("AVAILABLE", "available_usd"), col("LOW_ALERT", "low_balance_usd"));
                    AdminCommand.next(p);
                });
    }

    @Command(name = "balance", description = "An account's balance, what requests in flight hold, and its latest ledger entries.")
    int balance(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "ACCOUNT") String account) {
        return c.show("/admin/api/accounts/" + segment(account) + "/balance", b -> {
            printBalance(b);
            OUT.println();
            ledgerTable(c.fetch(withQuery("/admin/api/accounts/" + segment(account) + "/ledger", query("limit", 10))));
        });
    }

    @Command(name = "ledger", description = "An account's ledger entries, newest first: usage, credits, adjustments, payments.")
    int ledger(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "ACCOUNT") String account,
               @Option(names = "--limit", description = "rows per page (1-500, default 50)") Integer limit,
               @Option(names = "--cursor", description = "next page, as printed after a page") String cursor) {
        return c.show(withQuery("/admin/api/accounts/" + segment(account) + "/ledger",
                query("limit", limit, "cursor", cursor)), BillingCommands::ledgerTable);
    }

    @Command(name = "grant", description = "Grant prepaid credits to an account (admin). Written once per idempotency key.")
    int grant(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "ACCOUNT") String account,
              @Option(names = "--usd", required = true, description = "amount in USD, e.g. 25 or 12.50 (up to 6 decimals)")
              String usd,
              @Option(names = "--reason", required = true, description = "why (goes into the audit log)") String reason,
              @Option(names = "--idempotency-key", description = "reuse to retry safely (default: a new one, printed if the call fails)")
              String key) {
        return post(c, account, "credits", usd, reason, key, "Granted");
    }

    @Command(name = "adjust", description = "Correct an account's balance up or down (admin), e.g. --usd -3.25.")
    int adjust(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "ACCOUNT") String account,
               @Option(names = "--usd", required = true, description = "amount in USD, positive or negative") String usd,
               @Option(names = "--reason", required = true, description = "why (goes into the audit log)") String reason,
               @Option(names = "--idempotency-key", description = "reuse to retry safely (default: a new one, printed if the call fails)")
               String key) {
        return post(c, account, "adjustments", usd, reason, key, "Adjusted");
    }

    private static int post(AdminCommand.Connection c, String account, String endpoint, String usd, String reason,
                            String key, String verb) {
        Long micros = Money.parseUsd(usd);
        if (micros == null) {
            throw new AdminClient.Failure(AdminClient.ExitCodes.USAGE, "--usd must be an amount in USD with at most "
                    + "6 decimals, e.g. 25 or 12.50 (got '" + usd + "')");
        }
        String idempotencyKey = key != null ? key : "cli-" + UUID.randomUUID();
        try {
            return c.post("/admin/api/accounts/" + segment(account) + "/" + endpoint,
                    Map.of("amount_micros", micros, "reason", reason), Map.of("Idempotency-Key", idempotencyKey),
                    d -> {
                        JsonNode e = d.path("result").path("entry");
                        String what = Money.usd(e.path("amount_micros").asLong()) + " on " + e.path("account").asText()
                                + " (ledger entry " + e.path("id").asText() + ")";
                        OUT.println(d.path("result").path("replayed").asBoolean()
                                ? "Already written with this idempotency key, nothing added: " + what
                                : verb + " " + what);
                        printBalance(d.path("result").path("balance"));
                    });
        } catch (AdminClient.Failure f) {
            if (f.exitCode == AdminClient.ExitCodes.SERVER) { // it may have been written before the answer was lost
                throw new AdminClient.Failure(f.exitCode, f.getMessage() + "\nIt may or may not have been written: "
                        + "run the same command with --idempotency-key " + idempotencyKey
                        + " (it is written at most once), or check 'portal admin billing ledger " + account + "'.");
            }
            throw f;
        }
    }

    @Command(name = "spend", description = "Spend per model and per UTC day (default: the last 30 days).")
    int spend(@Mixin AdminCommand.Connection c,
              @Option(names = "--from", description = "first day, e.g. 2026-12-01") String from,
              @Option(names = "--to", description = "last day (default: today, UTC)") String to,
              @Option(names = "--account", description = "one account: u<user id>, o<org id> or an email") String account) {
        return c.show(withQuery("/admin/api/billing/spend", query("from", from, "to", to, "account", account)), s -> {
            OUT.println("Spend " + s.path("from").asText() + " to " + s.path("to").asText() + " (UTC)"
                    + (s.hasNonNull("account") ? " of " + s.path("account").asText() : ", all accounts") + ": "
                    + Money.usd(s.path("cost_micros").asLong()) + " for " + s.path("requests").asLong() + " requests");
            OUT.println();
            Tables.table(OUT, usd(s.path("by_model"), "cost_micros"), col("MODEL", "model"),
                    col("REQUESTS", "requests"), col("PROMPT_TOKENS", "prompt_tokens"),
                    col("COMPLETION_TOKENS", "completion_tokens"), col("COST", "cost_usd"));
            OUT.println();
            ArrayNode days = AdminApi.JSON.createArrayNode();
            s.path("by_day").forEach(d -> {
                if (d.path("requests").asLong() > 0) {
                    days.add(d);
                }
            });
            Tables.table(OUT, usd(days, "cost_micros"), col("DAY", "day"), col("REQUESTS", "requests"),
                    col("COST", "cost_usd"));
            if (days.size() < s.path("by_day").size()) {
                OUT.println("(days without charged requests left out; --json lists every day)");
            }
        });
    }

    @Command(name = "reconcile", description = "Recompute every balance, reservation and usage charge from their sources; "
            + "print every drift. Exits 5 when there is any.")
    int reconcile(@Mixin AdminCommand.Connection c) {
        JsonNode r = c.fetch("/admin/api/billing/reconcile");
        if (c.json) {
            try {
                OUT.println(AdminApi.JSON.writeValueAsString(r));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else if (r.path("ok").asBoolean()) {
            OUT.println("No drift: every balance is the sum of its ledger, every reservation the sum of its holds, "
                    + "every usage charge its usage event's cost (checked " + r.path("checked_at").asText() + ").");
        } else {
            Tables.table(OUT, usd(r.path("drifts"), "recorded_micros", "computed_micros", "difference_micros"),
                    col("KIND", "kind"), col("ID", "id"), col("RECORDED", "recorded_usd"),
                    col("COMPUTED", "computed_usd"), col("DIFFERENCE", "difference_usd"));
            OUT.println(r.path("drifts").size() + " drift" + (r.path("drifts").size() == 1 ? "" : "s")
                    + " (checked " + r.path("checked_at").asText() + "). Report them with this output; "
                    + "docs/operations.md says what each kind means.");
        }
        return r.path("ok").asBoolean() ? AdminClient.ExitCodes.OK : AdminClient.ExitCodes.DRIFT;
    }

    private static void printBalance(JsonNode b) {
        OUT.println("Balance " + Money.usd(b.path("balance_micros").asLong()) + ", held by requests in flight "
                + Money.usd(b.path("reserved_micros").asLong()) + ", available "
                + Money.usd(b.path("available_micros").asLong())
                + (b.hasNonNull("low_balance_micros") ? "; low-credit alert below "
                + Money.usd(b.path("low_balance_micros").asLong()) : "") + ".");
    }

    private static void ledgerTable(JsonNode page) {
        Tables.table(OUT, usd(page.path("data"), "amount_micros"), col("ID", "id"), col("TIME", "created_at"),
                col("TYPE", "type"), col("AMOUNT", "amount_usd"), col("REQUEST", "request_id"), col("BY", "actor"),
                col("DESCRIPTION", "description"));
        AdminCommand.next(page);
    }

    /** Copies of the rows with a {@code <name>_usd} text next to each {@code <name>_micros} amount. */
    private static ArrayNode usd(JsonNode rows, String... fields) {
        ArrayNode out = AdminApi.JSON.createArrayNode();
        for (JsonNode row : rows) {
            ObjectNode copy = row.deepCopy();
            for (String f : fields) {
                if (row.hasNonNull(f)) {
                    copy.put(f.replace("_micros", "_usd"), Money.usd(row.path(f).asLong()));
                }
            }
            out.add(copy);
        }
        return out;
    }
}
