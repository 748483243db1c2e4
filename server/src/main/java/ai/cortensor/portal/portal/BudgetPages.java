package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.billing.Balance;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.web.Web;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The budgets page ({@code /portal/budgets}): the spend caps of the account and its keys with what each has spent,
 * holds and has left this period and when it resets; forms to set, change and remove them (owners only for an
 * organization), and, for accounts with credits, the balance (the low-credit alert is on the alerts page).
 */
final class BudgetPages {
    private final Gate gate;
    private final Html html;
    private final CustomerKeys keys;
    private final CustomerBudgets budgets;

    BudgetPages(Gate gate, Html html, CustomerKeys keys, CustomerBudgets budgets) {
        this.gate = gate;
        this.html = html;
        this.keys = keys;
        this.budgets = budgets;
    }

    void register(ConsolePages console, HttpRouting.Builder r) {
        // ?key=<id> (the keys page's "Set a budget" link) preselects that key in the form
        console.signedIn(r, "/portal/budgets", false, (req, res, c) -> page(req, res, c, null, null,
                req.query().first("key").map(k -> Map.of("key", k)).orElse(Map.of()), 200));
        console.signedIn(r, "/portal/budgets", true, this::set);
        console.signedIn(r, "/portal/budgets/remove", true, this::remove);
    }

    /** The page; {@code form} refills the fields after an error, which names its {@code field}. */
    private void page(ServerRequest req, ServerResponse res, Sessions.Current c, String error, String field,
                      Map<String, String> form, int status) {
        Page page = gate.page(req, res, c, "Budgets", "budgets");
        if (req.query().contains("saved")) {
            page = page.withNotice("The budget is saved. It applies to requests from now on.", "info");
        } else if (req.query().contains("removed")) {
            page = page.withNotice("The budget is removed.", "info");
        }
        List<Views.BudgetRow> rows = new ArrayList<>();
        for (CustomerBudgets.Row row : budgets.list(c.account())) {
            rows.add(row(row));
        }
        List<KeyStore.Listing> active = keys.list(c.account()).stream().filter(k -> "active".equals(k.state())
                && (k.expiresAt() == null || k.expiresAt().isAfter(java.time.Instant.now()))).toList();
        CustomerBudgets.Credits credits = budgets.credits(c.account());
        Balance b = credits.balance();
        html.render(res, status, "budgets.jte", AuthPages.params("page", page, "view", new Views.Budgets(
                c.account().owner(), c.account().name(), rows, active, credits.shown(), Money.usd(b.balanceMicros()),
                Money.usd(b.reservedMicros()), Money.usd(b.availableMicros()),
                credits.prepaid() && b.lowBalanceMicros() != null ? Money.usd(b.lowBalanceMicros()) : null, error,
                field, form.getOrDefault("key", ""), form.getOrDefault("period", "day"),
                form.getOrDefault("amount", ""))));
    }

    static Views.BudgetRow row(CustomerBudgets.Row row) {
        Billing.BudgetState s = row.state();
        Budget b = s.budget();
        String appliesTo = row.key() == null ? "The account" : "Key " + row.key().name() + " (" + row.key().prefix()
                + "_…)";
        int percent = (int) Math.min(100, (s.spentMicros() + s.reservedMicros()) * 100 / Math.max(1, b.capMicros()));
        return new Views.BudgetRow(row.id(), appliesTo, row.key() == null ? "" : Long.toString(row.key().id()),
                b.period().name().toLowerCase(), b.period() == Budget.Period.DAY ? "per day (UTC)" : "per month (UTC)",
                Money.usd(b.capMicros()), Money.usd(s.spentMicros()), Money.usd(s.reservedMicros()),
                Money.usd(s.remainingMicros()), Format.time(s.resetsAt()), percent);
    }

    private void set(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        try {
            Budget.Period period = period(form.get("period"));
            budgets.set(c, key(form.get("key")), period, form.get("amount"), "amount",
                    TeamPages.actor(req, res, c));
            Web.redirect(res, "/portal/budgets?saved=1");
        } catch (CustomerBudgets.NoSuchKey e) {
            page(req, res, c, label("key") + ": choose the account or one of its keys from the list.", "key", form, 400);
        } catch (FormError e) {
            page(req, res, c, label(e.field()) + ": " + e.getMessage(), e.field(), form, 400);
        } catch (CustomerBudgets.NotOwner e) {
            page(req, res, c, e.getMessage(), null, Map.of(), 403);
        }
    }

    private void remove(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        try {
            budgets.remove(c, key(form.get("key")), period(form.get("period")), TeamPages.actor(req, res, c));
            Web.redirect(res, "/portal/budgets?removed=1");
        } catch (CustomerBudgets.NoSuchKey e) {
            page(req, res, c, "There is no such budget in this account.", null, Map.of(), 404);
        } catch (FormError e) {
            page(req, res, c, label(e.field()) + ": " + e.getMessage(), e.field(), Map.of(), 400);
        } catch (CustomerBudgets.NotOwner e) {
            page(req, res, c, e.getMessage(), null, Map.of(), 403);
        }
    }

    /** The account (empty) or a key of it; anything else is refused on the "Applies to" field. */
    private static Long key(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new FormError("key", "Choose the account or one of its keys from the list.");
        }
    }

    private static Budget.Period period(String value) {
        return switch (value == null ? "" : value) {
            case "day" -> Budget.Period.DAY;
            case "month" -> Budget.Period.MONTH;
            default -> throw new FormError("period", "Choose per day or per month.");
        };
    }

    /** The form's label of a field, as the error names it. */
    private static String label(String field) {
        return switch (field) {
            case "amount" -> "Amount (USD)";
            case "key" -> "Applies to";
            case "period" -> "Period";
            default -> field;
        };
    }
}
