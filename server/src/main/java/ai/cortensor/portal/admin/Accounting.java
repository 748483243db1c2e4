package ai.cortensor.portal.admin;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Balance;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.billing.Drift;
import ai.cortensor.portal.billing.LedgerEntry;
import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.usage.UsageReports;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operators' side of money: every balance, an account's ledger, grants and adjustments of credits, spend per
 * model and day, and reconciliation. Reads are open to every operator; a grant or an adjustment is a money-changing
 * action like a plan change — admin only, with a reason, audited in the ledger's own transaction
 * ({@code billing.credit} / {@code billing.adjustment}, with the balance before and after). Amounts are integers in
 * micro-USD; the API passes them through, the console and the CLI convert at their edge.
 */
public final class Accounting {
    /** The longest spend report: a year of days. */
    public static final int MAX_SPEND_DAYS = 366;
    /** An idempotency key as clients send it (Stripe's limit). */
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final Operations ops;
    private final DirectoryStore directory;
    private final Billing billing;
    private final UsageReports usage;
    private final InstantSource clock;

    Accounting(Operations ops, DirectoryStore directory, Billing billing, UsageReports usage, InstantSource clock) {
        this.ops = ops;
        this.directory = directory;
        this.billing = billing;
        this.usage = usage;
        this.clock = clock;
    }

    /**
     * An account's money: {@code balanceMicros} (the sum of its ledger), {@code reservedMicros} (held by requests in
     * flight), {@code availableMicros} (what a new request can hold), the customer's low-balance alert threshold.
     * An account that is not prepaid has a negative balance: what it has spent.
     */
    public record AccountBalance(String account, String name, long balanceMicros, long reservedMicros,
                                 long availableMicros, Long lowBalanceMicros) {
        static AccountBalance of(Balance b, String name) {
            return new AccountBalance(b.account(), name, b.balanceMicros(), b.reservedMicros(), b.availableMicros(),
                    b.lowBalanceMicros());
        }
    }

    /** What a grant or an adjustment did: its entry (the earlier one, when {@code replayed}) and the balance now. */
    public record Credited(LedgerEntry entry, boolean replayed, AccountBalance balance) {}

    public AccountBalance balance(String account) {
        AccountId a = existing(account);
        return AccountBalance.of(billing.balance(a.toString()), null);
    }

    /** An account's ledger entries, newest first. */
    public Page<LedgerEntry> ledger(String account, String cursor, Integer limit) {
        AccountId a = existing(account);
        int n = Page.limit(limit);
        List<LedgerEntry> rows = billing.ledger(a.toString(), n + 1, cursor == null ? null : Page.decodeId(cursor));
        return Page.of(rows, n, e -> Long.toString(e.id()));
    }

    /**
     * Every account's balance, paged: {@code sort} {@code available} (least available first: who runs out next),
     * {@code -available} (most first) or {@code account}.
     */
    public Page<AccountBalance> balances(String sort, String cursor, Integer limit) {
        Billing.BalanceOrder order = switch (sort == null ? "available" : sort) {
            case "available" -> Billing.BalanceOrder.AVAILABLE_ASC;
            case "-available" -> Billing.BalanceOrder.AVAILABLE_DESC;
            case "account" -> Billing.BalanceOrder.ACCOUNT;
            default -> throw ActionRefused.invalid("invalid_sort", "sort must be available, -available or account.");
        };
        int n = Page.limit(limit);
        Balance after = cursor == null ? null : balanceCursor(cursor);
        List<Balance> rows = billing.balances(order, after, n + 1);
        List<AccountId> ids = rows.stream().map(b -> AccountId.parse(b.account())).filter(java.util.Objects::nonNull)
                .toList();
        Map<String, String> names = directory.accountNames(ids);
        List<AccountBalance> out = rows.stream().map(b -> AccountBalance.of(b, names.get(b.account()))).toList();
        return Page.of(out, n, b -> b.availableMicros() + " " + b.account());
    }

    /** The cursor of a balance page: the last row's available amount and account. */
    private static Balance balanceCursor(String cursor) {
        String[] parts = Page.decode(cursor).split(" ", 2);
        try {
            long available = Long.parseLong(parts[0]);
            return new Balance(parts[1], available, 0, null);
        } catch (RuntimeException e) {
            throw ActionRefused.invalid("invalid_cursor", "The cursor is not one this server returned.");
        }
    }

    /** Grants prepaid credits: a positive amount. */
    public Operations.Done<Credited> grant(String account, Long amountMicros, String reason, String idempotencyKey,
                                           Actor actor) {
        return post(Billing.Movement.GRANT, account, amountMicros, reason, idempotencyKey, actor);
    }

    /** Corrects a balance: a positive or negative amount, never zero. */
    public Operations.Done<Credited> adjust(String account, Long amountMicros, String reason, String idempotencyKey,
                                            Actor actor) {
        return post(Billing.Movement.ADJUSTMENT, account, amountMicros, reason, idempotencyKey, actor);
    }

    private Operations.Done<Credited> post(Billing.Movement movement, String account, Long amountMicros,
                                           String reason, String idempotencyKey, Actor actor) {
        Operations.allow(actor, "billing." + movement.type);
        String why = Operations.reason(reason);
        AccountId a = existing(account);
        if (amountMicros == null) {
            throw ActionRefused.invalid("missing_amount_micros", "Give amount_micros: the amount in micro-USD "
                    + "(1 USD = 1000000), " + (movement == Billing.Movement.GRANT ? "positive." : "positive or negative."));
        }
        if (movement == Billing.Movement.GRANT && amountMicros <= 0) {
            throw ActionRefused.invalid("invalid_amount_micros",
                    "amount_micros of a grant must be positive; take credits away with an adjustment.");
        }
        if (amountMicros == 0) {
            throw ActionRefused.invalid("invalid_amount_micros", "amount_micros of an adjustment cannot be zero.");
        }
        if (Math.abs(amountMicros) > Billing.MAX_ENTRY_MICROS) {
            throw ActionRefused.invalid("invalid_amount_micros", "amount_micros is at most "
                    + Billing.MAX_ENTRY_MICROS + " (" + Money.usd(Billing.MAX_ENTRY_MICROS) + ") per entry.");
        }
        String key = idempotencyKey(idempotencyKey);
        try {
            Billing.Posted p = billing.post(movement, a.toString(), amountMicros, why, actor, key);
            return new Operations.Done<>(!p.replayed(), new Credited(p.entry(), p.replayed(),
                    AccountBalance.of(billing.balance(a.toString()), null)));
        } catch (Billing.KeyReused e) {
            throw new ActionRefused(ActionRefused.Kind.CONFLICT, "idempotency_key_reused",
                    "This Idempotency-Key was already used for another request: " + e.getMessage()
                            + ". Nothing was written; send a new key for a new grant.");
        }
    }

    /**
     * The ledger's key for an operator's {@code Idempotency-Key}: in its own namespace ({@code operator:…}), so it
     * can never collide with a payment provider's event ids. Null when none was sent.
     */
    private static String idempotencyKey(String key) {
        if (key == null || key.isEmpty()) {
            return null;
        }
        if (key.length() > MAX_IDEMPOTENCY_KEY || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ActionRefused.invalid("invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.");
        }
        return "operator:" + key;
    }

    /** Spend of one model over the report's range. */
    public record ModelSpend(String model, long requests, long promptTokens, long completionTokens, long costMicros) {}

    /** Spend of one UTC day (every day of the range, zero-filled), and per model that day. */
    public record DaySpend(LocalDate day, long requests, long costMicros, Map<String, Long> costByModel) {}

    /**
     * Spend per model and per UTC day over [from, to], of every account or of one: {@code data} has one row per day
     * and model with traffic; {@code byDay} every day of the range; {@code byModel} the range's totals, most costly
     * first.
     */
    public record SpendReport(LocalDate from, LocalDate to, String account, long requests, long costMicros,
                              List<ModelSpend> byModel, List<DaySpend> byDay, List<UsageReports.Spend> data) {}

    /** {@code from} and {@code to} (inclusive, UTC days) default to the last 30 days; at most a year. */
    public SpendReport spend(LocalDate from, LocalDate to, String account) {
        LocalDate last = to != null ? to : LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate first = from != null ? from : last.minusDays(29);
        if (first.isAfter(last)) {
            throw ActionRefused.invalid("invalid_from", "from must not be after to.");
        }
        if (ChronoUnit.DAYS.between(first, last) + 1 > MAX_SPEND_DAYS) {
            throw ActionRefused.invalid("invalid_to", "A spend report covers at most " + MAX_SPEND_DAYS + " days.");
        }
        AccountId a = account == null ? null : existing(account);
        List<UsageReports.Spend> rows = usage.spend(first, last, a == null || a.organization() ? null : a.id(),
                a != null && a.organization() ? a.id() : null);
        Map<String, long[]> models = new LinkedHashMap<>();
        Map<LocalDate, List<UsageReports.Spend>> days = new LinkedHashMap<>();
        long requests = 0;
        long cost = 0;
        for (UsageReports.Spend s : rows) {
            long[] m = models.computeIfAbsent(s.model(), k -> new long[4]);
            m[0] += s.requests();
            m[1] += s.promptTokens();
            m[2] += s.completionTokens();
            m[3] += s.costMicros();
            days.computeIfAbsent(s.day(), k -> new ArrayList<>()).add(s);
            requests += s.requests();
            cost += s.costMicros();
        }
        List<ModelSpend> byModel = new ArrayList<>();
        models.forEach((name, m) -> byModel.add(new ModelSpend(name, m[0], m[1], m[2], m[3])));
        byModel.sort(Comparator.comparingLong(ModelSpend::costMicros).reversed().thenComparing(ModelSpend::model));
        List<DaySpend> byDay = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            Map<String, Long> perModel = new LinkedHashMap<>();
            long n = 0;
            long c = 0;
            for (UsageReports.Spend s : days.getOrDefault(d, List.of())) {
                perModel.put(s.model(), s.costMicros());
                n += s.requests();
                c += s.costMicros();
            }
            byDay.add(new DaySpend(d, n, c, perModel));
        }
        return new SpendReport(first, last, a == null ? null : a.toString(), requests, cost, List.copyOf(byModel),
                List.copyOf(byDay), rows);
    }

    /**
     * A reconciliation: every drift between the money tables and their sources ({@link Drift}), empty when all
     * agree — as they must.
     */
    public record Reconciliation(Instant checkedAt, boolean ok, List<DriftRow> drifts) {}

    /** One drift: {@code differenceMicros} is recorded − computed. */
    public record DriftRow(String kind, String id, long recordedMicros, long computedMicros, long differenceMicros) {}

    public Reconciliation reconcile() {
        Instant at = clock.instant();
        List<DriftRow> drifts = billing.reconcile().stream().map(d -> new DriftRow(d.kind(), d.id(),
                d.recordedMicros(), d.computedMicros(), d.recordedMicros() - d.computedMicros())).toList();
        return new Reconciliation(at, drifts.isEmpty(), drifts);
    }

    /** The account named by {@code ref}, which must exist (the ledger refers to its user or organization). */
    private AccountId existing(String ref) {
        return ops.existing(ref);
    }
}
