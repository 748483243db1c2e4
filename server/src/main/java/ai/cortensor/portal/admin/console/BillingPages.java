package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.Accounting;
import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.InspectionStore;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.admin.Page;
import ai.cortensor.portal.billing.LedgerEntry;
import ai.cortensor.portal.billing.Money;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * Console pages about money: every balance (least available first), an account's whole ledger, spend per model and
 * day with its chart, reconciliation, and a model's prices (edited in USD per million tokens, converted exactly to
 * micro-USD). The account page's credits card and its grant and adjustment forms are {@link AccountPages}'.
 */
final class BillingPages {
    private static final int PAGE_SIZE = 50;
    /** Ledger entries on the account page; the rest are a link away. */
    static final int LEDGER_SHOWN = 10;

    private final ConsoleGate gate;
    private final Operations ops;

    BillingPages(ConsoleGate gate, Operations ops) {
        this.gate = gate;
        this.ops = ops;
    }

    void register(HttpRouting.Builder r) {
        r.get("/admin/billing", (req, res) -> gate.require(req, res).ifPresent(c -> balances(req, res, c)));
        r.get("/admin/billing/spend", (req, res) -> gate.require(req, res).ifPresent(c -> spend(req, res, c)));
        r.get("/admin/billing/reconcile", (req, res) -> gate.require(req, res).ifPresent(c ->
                gate.render(res, 200, "admin/reconcile.jte", gate.page(req, res, c, "Reconciliation", "billing"),
                        "r", ops.accounting().reconcile())));
        r.get("/admin/accounts/{account}/ledger", (req, res) -> gate.require(req, res).ifPresent(c ->
                ledger(req, res, c)));
        r.get("/admin/models/{alias}", (req, res) -> gate.require(req, res).ifPresent(c ->
                model(req, res, c, AccountPages.param(req, "alias"), null, 200)));
        r.post("/admin/models/{alias}/prices", (req, res) -> {
            String alias = AccountPages.param(req, "alias");
            gate.act(req, res, (q, s, c, error, status) -> model(q, s, c, alias, error, status),
                    p -> ops.setModelPrices(alias, usd(p.field("input"), "Input price", true),
                            usd(p.field("output"), "Output price", true), true,
                            usd(p.field("reasoning"), "Reasoning price", false), p.field("reason"), p.actor())
                            .changed());
        });
    }

    static AccountMoney accountMoney(Operations ops, String account) {
        Page<LedgerEntry> entries = ops.accounting().ledger(account, null, LEDGER_SHOWN);
        // one key per rendered form: sending the same form twice (a double click, a reload) is one ledger entry
        return new AccountMoney(ops.accounting().balance(account), entries.data(), entries.nextCursor() != null,
                "console-" + UUID.randomUUID());
    }

    /**
     * A USD amount typed in a form ("25", "12.50", "$0.06") as exact micro-USD; null when blank and not required.
     * For prices, USD per million tokens is micro-USD per million tokens ×10⁶, the unit prices are kept in.
     */
    static Long usd(String text, String what, boolean required) {
        if (text == null || text.isBlank()) {
            if (required) {
                throw ActionRefused.invalid("missing_amount", what + " is required.");
            }
            return null;
        }
        Long micros = Money.parseUsd(text);
        if (micros == null) {
            throw ActionRefused.invalid("invalid_amount", what + " must be an amount in USD with at most 6 "
                    + "decimals, like 25, 12.50 or 0.06 (got “" + text.strip() + "”).");
        }
        return micros;
    }

    private void balances(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String sort = query(req, "sort");
        Page<Accounting.AccountBalance> page = null;
        String error = null;
        try {
            page = ops.accounting().balances(sort, query(req, "cursor"), PAGE_SIZE);
        } catch (ActionRefused e) {
            error = e.getMessage();
        }
        String s = sort == null ? "available" : sort;
        OperatorPage p = gate.page(req, res, c, "Balances", "billing");
        gate.render(res, error == null ? 200 : 400, "admin/balances.jte", error == null ? p : p.withNotice(error, "error"),
                "rows", page == null ? List.of() : page.data(), "sort", s,
                "next", page == null || page.nextCursor() == null ? null
                        : "/admin/billing?sort=" + enc(s) + "&cursor=" + enc(page.nextCursor()),
                "first", query(req, "cursor") == null ? null : "/admin/billing?sort=" + enc(s));
    }

    private void ledger(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String account = AccountPages.param(req, "account");
        Page<LedgerEntry> page;
        Accounting.AccountBalance balance;
        try {
            page = ops.accounting().ledger(account, query(req, "cursor"), PAGE_SIZE);
            balance = ops.accounting().balance(account);
        } catch (ActionRefused e) {
            gate.message(req, res, c, e.kind().status, "No such ledger", e.getMessage());
            return;
        }
        gate.render(res, 200, "admin/ledger.jte", gate.page(req, res, c, "Ledger of " + balance.account(), "billing"),
                "balance", balance, "entries", page.data(),
                "next", page.nextCursor() == null ? null
                        : "/admin/accounts/" + balance.account() + "/ledger?cursor=" + enc(page.nextCursor()),
                "first", query(req, "cursor") == null ? null : "/admin/accounts/" + balance.account() + "/ledger");
    }

    private void spend(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String from = query(req, "from");
        String to = query(req, "to");
        String account = query(req, "account");
        Accounting.SpendReport report = null;
        String error = null;
        try {
            report = ops.accounting().spend(day(from, "from"), day(to, "to"), account);
        } catch (ActionRefused e) {
            error = e.getMessage();
        }
        OperatorPage p = gate.page(req, res, c, "Spend", "billing");
        gate.render(res, error == null ? 200 : 400, "admin/spend.jte", error == null ? p : p.withNotice(error, "error"),
                "report", report, "from", from, "to", to, "account", account,
                "chart", report == null || report.requests() == 0 ? null : SpendChart.chart(report),
                "legend", report == null ? null : SpendChart.legend(report));
    }

    private void model(ServerRequest req, ServerResponse res, OperatorSessions.Current c, String alias, String error,
                       int status) {
        InspectionStore.ModelState model = ops.models().stream().filter(m -> m.alias().equals(alias)).findFirst()
                .orElse(null);
        if (model == null) {
            gate.message(req, res, c, 404, "No such model", "There is no model " + alias + " in the catalog.");
            return;
        }
        var history = ops.inspection().audit(new InspectionStore.AuditFilter(null, "model.prices", "model", alias,
                null, null), null, 20).data();
        OperatorPage page = gate.page(req, res, c, "Model " + alias, "pools");
        gate.render(res, status, "admin/model.jte", error == null ? page : page.withNotice(error, "error"),
                "m", model, "history", history);
    }

    private static LocalDate day(String value, String name) {
        try {
            return value == null ? null : LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ActionRefused.invalid("invalid_" + name, name + " must be a day like 2026-01-31 (UTC).");
        }
    }

    private static String query(ServerRequest req, String name) {
        return req.query().first(name).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
