package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.usage.SpendReports;
import ai.cortensor.portal.usage.UsageReports;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/**
 * Money under {@code /portal/api} (docs/portal-api.md): budgets (read by every member, changed by owners), the
 * credits, spend per day, and the usage export ({@link UsageExport}). The low-credit alert is {@link AlertsApi}'s. Money travels as
 * integer micro-USD ({@code *_micros}) with a USD decimal string beside it ({@code *_usd}).
 */
final class SpendApi {
    private final PortalApi api;
    private final CustomerBudgets budgets;
    private final SpendReports spend;
    private final UsageExport export;

    SpendApi(PortalApi api, CustomerBudgets budgets, SpendReports spend, UsageExport export) {
        this.api = api;
        this.budgets = budgets;
        this.spend = spend;
        this.export = export;
    }

    void register(HttpRouting.Builder r) {
        r.get("/portal/api/budgets", api.api(false, this::list));
        // changes are refused while the account is paused (403 account_paused), as every change of its money
        r.put("/portal/api/budgets/account/{period}", api.api(true, Gate.Guard.ACCOUNT,
                (req, res, c) -> put(req, res, c, null)));
        r.delete("/portal/api/budgets/account/{period}", api.api(true, Gate.Guard.ACCOUNT,
                (req, res, c) -> delete(req, res, c, null)));
        r.put("/portal/api/budgets/keys/{id}/{period}", api.api(true, Gate.Guard.ACCOUNT,
                (req, res, c) -> put(req, res, c, keyId(req))));
        r.delete("/portal/api/budgets/keys/{id}/{period}", api.api(true, Gate.Guard.ACCOUNT,
                (req, res, c) -> delete(req, res, c, keyId(req))));
        r.get("/portal/api/credits", api.api(false, (req, res, c) -> credits(res, c)));
        r.get("/portal/api/spend", api.api(false, this::spendPerDay));
        r.get("/portal/api/usage/export", api.api(false, export::api));
    }

    private void list(ServerRequest req, ServerResponse res, Sessions.Current c) {
        List<CustomerBudgets.Row> rows = budgets.list(c.account());
        PortalApi.send(res, 200, g -> {
            g.writeStartObject();
            g.writeBooleanField("can_edit", c.account().owner());
            g.writeArrayFieldStart("data");
            for (CustomerBudgets.Row row : rows) {
                budget(g, row);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private void put(ServerRequest req, ServerResponse res, Sessions.Current c, Long keyId) throws IOException {
        Budget.Period period = period(req, res);
        if (period == null) {
            return;
        }
        JsonNode body = PortalApi.object(req, res, "{\"cap_usd\": \"5.00\"}");
        if (body == null) {
            return;
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("cap_usd")) {
                PortalApi.error(res, 400, "unknown_field", name + ": not a field of a budget; send "
                        + "{\"cap_usd\": \"5.00\"}.");
                return;
            }
        }
        JsonNode cap = body.get("cap_usd");
        String usd = cap == null || cap.isNull() ? null : cap.isNumber() ? cap.decimalValue().toPlainString()
                : cap.isTextual() ? cap.asText() : "";
        if (usd == null) {
            PortalApi.error(res, 400, "missing_required_parameter", "cap_usd: the budget in US dollars is "
                    + "required, e.g. {\"cap_usd\": \"5.00\"}.");
            return;
        }
        guarded(res, () -> budgets.set(c, keyId, period, usd, "cap_usd", TeamPages.actor(req, res, c)));
        if (res.isSent()) {
            return;
        }
        budgets.list(c.account()).stream().filter(r -> matches(r, keyId, period)).findFirst()
                .ifPresent(row -> PortalApi.send(res, 200, g -> budget(g, row)));
    }

    private void delete(ServerRequest req, ServerResponse res, Sessions.Current c, Long keyId) {
        Budget.Period period = period(req, res);
        if (period == null) {
            return;
        }
        boolean[] removed = new boolean[1];
        guarded(res, () -> removed[0] = budgets.remove(c, keyId, period, TeamPages.actor(req, res, c)));
        if (res.isSent()) {
            return;
        }
        if (!removed[0]) {
            PortalApi.error(res, 404, "not_found", "There is no such budget to remove.");
            return;
        }
        PortalApi.send(res, 200, g -> {
            g.writeStartObject();
            g.writeStringField("scope", keyId == null ? "account" : "key");
            if (keyId != null) {
                g.writeNumberField("key_id", keyId);
            }
            g.writeStringField("period", period.name().toLowerCase());
            g.writeBooleanField("deleted", true);
            g.writeEndObject();
        });
    }

    private void credits(ServerResponse res, Sessions.Current c) {
        CustomerBudgets.Credits credits = budgets.credits(c.account());
        var b = credits.balance();
        PortalApi.send(res, 200, g -> {
            g.writeStartObject();
            g.writeBooleanField("prepaid", credits.prepaid());
            g.writeBooleanField("funded", credits.funded());
            money(g, "balance", b.balanceMicros());
            money(g, "held", b.reservedMicros());
            money(g, "available", b.availableMicros());
            if (b.lowBalanceMicros() == null) {
                g.writeNullField("low_balance_alert_micros");
                g.writeNullField("low_balance_alert_usd");
            } else {
                money(g, "low_balance_alert", b.lowBalanceMicros());
            }
            g.writeBooleanField("can_edit", c.account().owner());
            g.writeEndObject();
        });
    }

    /** {@code GET /portal/api/spend?from=&to=&by=model|key}: the usage page's chart as data. */
    private void spendPerDay(ServerRequest req, ServerResponse res, Sessions.Current c) {
        UsageExport.Range range = export.range(req, res, c, to -> to.minusDays(29));
        if (range == null) {
            return;
        }
        String byText = req.query().first("by").orElse("model");
        if (range.from().plusDays(366).isBefore(range.to())) {
            PortalApi.error(res, 400, "invalid_value", "from: spend per day covers at most 366 days; the export "
                    + "covers any range.");
            return;
        }
        if (!byText.equals("model") && !byText.equals("key")) {
            PortalApi.error(res, 400, "invalid_value", "by: group spend by model or key.");
            return;
        }
        SpendReports.By by = byText.equals("model") ? SpendReports.By.MODEL : SpendReports.By.KEY;
        UsageReports.Scope scope = range.scope();
        List<SpendReports.DaySpend> days = spend.daily(scope, range.from(), range.to(), by);
        long total = days.stream().mapToLong(SpendReports.DaySpend::costMicros).sum();
        PortalApi.send(res, 200, g -> {
            g.writeStartObject();
            g.writeStringField("from", range.from().toString());
            g.writeStringField("to", range.to().toString());
            g.writeStringField("by", byText);
            money(g, "total_cost", total);
            g.writeArrayFieldStart("daily");
            for (SpendReports.DaySpend d : days) {
                g.writeStartObject();
                g.writeStringField("date", d.day().toString());
                if (by == SpendReports.By.MODEL) {
                    g.writeStringField("model", d.series());
                } else {
                    g.writeNumberField("key_id", Long.parseLong(d.series()));
                }
                g.writeNumberField("requests", d.requests());
                g.writeNumberField("prompt_tokens", d.promptTokens());
                g.writeNumberField("completion_tokens", d.completionTokens());
                money(g, "cost", d.costMicros());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** Runs a change, answering 403 for a member, 404 for a key of another account, 400 naming a refused field. */
    private static void guarded(ServerResponse res, Runnable change) {
        try {
            change.run();
        } catch (CustomerBudgets.NotOwner e) {
            PortalApi.error(res, 403, "owner_only", e.getMessage());
        } catch (CustomerBudgets.NoSuchKey e) {
            PortalApi.error(res, 404, "not_found", e.getMessage());
        } catch (FormError e) {
            PortalApi.error(res, 400, "invalid_value", e.field() + ": " + e.getMessage());
        }
    }

    private static Budget.Period period(ServerRequest req, ServerResponse res) {
        return switch (req.path().pathParameters().get("period")) {
            case "day" -> Budget.Period.DAY;
            case "month" -> Budget.Period.MONTH;
            default -> {
                PortalApi.error(res, 404, "not_found", "A budget is per day or per month: use .../day or .../month.");
                yield null;
            }
        };
    }

    private static Long keyId(ServerRequest req) {
        try {
            return Long.parseLong(req.path().pathParameters().get("id"));
        } catch (NumberFormatException e) {
            return -1L; // no key has it: 404 like any key of another account
        }
    }

    private static boolean matches(CustomerBudgets.Row r, Long keyId, Budget.Period period) {
        Budget b = r.state().budget();
        return b.period() == period && (keyId == null ? b.scope() == Budget.Scope.ACCOUNT
                : b.scope() == Budget.Scope.KEY && b.scopeId().equals(keyId.toString()));
    }

    static void budget(JsonGenerator g, CustomerBudgets.Row row) throws IOException {
        Billing.BudgetState s = row.state();
        Budget b = s.budget();
        g.writeStartObject();
        g.writeStringField("scope", b.scope().name().toLowerCase());
        if (row.key() != null) {
            g.writeNumberField("key_id", row.key().id());
            g.writeStringField("key_name", row.key().name());
            g.writeStringField("key_prefix", row.key().prefix());
        }
        g.writeStringField("period", b.period().name().toLowerCase());
        money(g, "cap", b.capMicros());
        money(g, "spent", s.spentMicros());
        money(g, "held", s.reservedMicros());
        money(g, "remaining", s.remainingMicros());
        g.writeStringField("resets_at", s.resetsAt().toString());
        g.writeEndObject();
    }

    /** {@code <name>_micros} (an integer) and {@code <name>_usd} (a decimal string, "5.00", "0.00012"). */
    static void money(JsonGenerator g, String name, long micros) throws IOException {
        g.writeNumberField(name + "_micros", micros);
        g.writeStringField(name + "_usd", Money.decimal(micros));
    }
}
