package ai.cortensor.portal.billing;

import ai.cortensor.portal.audit.Actor;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Money on the request path and around it. Admission {@link #hold}s a request's worst-case cost against its
 * account's prepaid credits and every spend budget of the account and the key — in PostgreSQL, in one atomic round
 * trip, so replicas together can never hold more than there is. The usage writer {@link #settle}s in the same
 * transaction that writes the usage event: the hold is released and the actual cost charged, exactly once. An
 * account that is not prepaid and has no budget costs no round trip at all.
 */
public final class Billing {
    private final BillingStore store;
    private final InstantSource clock;
    /** Budgets by {@code account:<u|o><id>} or {@code key:<key id>}; dropped on a {@code budget:} change. */
    private final LoadingCache<String, List<Budget>> budgets;

    public Billing(Jdbi jdbi, InstantSource clock) {
        this.store = new BillingStore(jdbi);
        this.clock = clock;
        this.budgets = Caffeine.newBuilder().maximumSize(500_000).expireAfterWrite(Duration.ofMinutes(5))
                .build(id -> {
                    int colon = id.indexOf(':');
                    return List.copyOf(store.budgets(Budget.Scope.valueOf(id.substring(0, colon).toUpperCase()),
                            id.substring(colon + 1)));
                });
    }

    /**
     * Holds {@code worstCaseMicros} for one request of {@code account} (u12 / o3) through key {@code keyId}:
     * against the credits when {@code prepaid}, and against every budget of the account and the key. Nothing is held
     * when it is refused.
     */
    public Hold hold(String requestId, String account, long keyId, boolean prepaid, long worstCaseMicros) {
        List<Budget> applicable = new ArrayList<>(budgets.get("account:" + account));
        applicable.addAll(budgets.get("key:" + keyId));
        if (!prepaid && applicable.isEmpty()) {
            return new Hold.None();
        }
        Instant now = clock.instant();
        BillingStore.Held held = store.hold(requestId, account, prepaid, worstCaseMicros, applicable, now);
        String refused = held.refused();
        if (refused == null) {
            int tightest = -1;
            for (int i = 0; i < held.remaining().length; i++) {
                if (tightest < 0 || held.remaining()[i] < held.remaining()[tightest]) {
                    tightest = i;
                }
            }
            return tightest < 0 ? new Hold.Held(worstCaseMicros)
                    : new Hold.Held(worstCaseMicros, applicable.get(tightest), Math.max(0, held.remaining()[tightest]),
                            applicable.get(tightest).periodEnd(now));
        }
        if (refused.equals("credits")) {
            return new Hold.Refused("insufficient_credits", null, Math.max(0, store.balance(account).availableMicros()),
                    worstCaseMicros, null);
        }
        Budget budget = applicable.stream().filter(b -> b.counter().equals(refused)).findFirst().orElseThrow();
        long[] spend = store.spend(budget, now);
        return new Hold.Refused("budget_exceeded", budget, Math.max(0, budget.capMicros() - spend[0] - spend[1]),
                worstCaseMicros, budget.periodEnd(now));
    }

    /** Releases a request's hold without charging (it ended before its usage could be written). */
    public boolean release(String requestId) {
        return store.release(requestId);
    }

    /**
     * Settles finished requests inside the usage writer's transaction (after their usage events are written): each
     * hold is released and each served request charged its cost — once, however often a batch is replayed.
     */
    public static void settle(Handle h, List<String> requestIds, List<String> accounts, List<Long> costs,
                              List<Boolean> served) throws SQLException {
        if (!requestIds.isEmpty()) {
            BillingStore.settle(h, requestIds, accounts, costs, served);
        }
    }

    /**
     * Releases holds older than {@code age}: their process died before writing their usage (a request cannot run
     * that long). Returns how many were released.
     */
    public int expireHolds(Duration age) {
        int n = 0;
        for (String requestId : store.staleHolds(clock.instant().minus(age), 1000)) {
            n += store.release(requestId) ? 1 : 0;
        }
        return n;
    }

    // ---- credits and the ledger ----

    public Balance balance(String account) {
        return store.balance(account);
    }

    public List<Balance> balances(int limit, String after) {
        return store.balances(limit, after);
    }

    /** Grants prepaid credits (a positive amount), audited; an idempotency key makes a retried grant one entry. */
    public LedgerEntry grant(String account, long amountMicros, String reason, Actor actor, String idempotencyKey) {
        return post(Movement.GRANT, account, amountMicros, reason, actor, idempotencyKey).entry();
    }

    /** Corrects a balance up or down (not zero), audited. */
    public LedgerEntry adjust(String account, long amountMicros, String reason, Actor actor, String idempotencyKey) {
        return post(Movement.ADJUSTMENT, account, amountMicros, reason, actor, idempotencyKey).entry();
    }

    /** The most one grant or adjustment may move: 10 million USD (a typo's extra zeros stop here). */
    public static final long MAX_ENTRY_MICROS = 10_000_000L * Money.MICROS_PER_USD;

    /** What an operator can write to the ledger: a grant of credits (positive) or an adjustment (either sign). */
    public enum Movement {
        GRANT("credit", "Credits granted: "), ADJUSTMENT("adjustment", "Adjustment: ");

        /** The ledger's {@code entry_type}; the audit action is {@code billing.<type>}. */
        public final String type;
        private final String description;

        Movement(String type, String description) {
            this.type = type;
            this.description = description;
        }
    }

    /** A written (or, for a repeated idempotency key, earlier) ledger entry. */
    public record Posted(LedgerEntry entry, boolean replayed) {}

    /** An idempotency key repeated with another account, kind or amount: nothing was written. */
    public static final class KeyReused extends RuntimeException {
        public KeyReused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Writes one grant or adjustment with its audit event (the balance before and after) in one transaction. With
     * an {@code idempotencyKey} used before for the same account, kind and amount, nothing is written and the
     * earlier entry comes back ({@code replayed}); used before for anything else, {@link KeyReused}.
     *
     * @throws IllegalArgumentException for a grant that is not positive, an adjustment of zero, or more than
     *                                  {@link #MAX_ENTRY_MICROS}
     */
    public Posted post(Movement movement, String account, long amountMicros, String reason, Actor actor,
                       String idempotencyKey) {
        if (movement == Movement.GRANT && amountMicros <= 0) {
            throw new IllegalArgumentException("a grant is a positive amount");
        }
        if (amountMicros == 0) {
            throw new IllegalArgumentException("an adjustment is not zero");
        }
        if (Math.abs(amountMicros) > MAX_ENTRY_MICROS) {
            throw new IllegalArgumentException("one entry moves at most " + Money.usd(MAX_ENTRY_MICROS));
        }
        long id = Long.parseLong(account.substring(1));
        boolean org = account.charAt(0) == 'o';
        BillingStore.Appended a = store.append(account, org ? null : id, org ? id : null, movement.type, amountMicros,
                movement.description + reason, actor, reason, idempotencyKey);
        LedgerEntry e = a.entry();
        if (a.replayed() && (!e.account().equals(account) || !e.type().equals(movement.type)
                || e.amountMicros() != amountMicros)) {
            throw new KeyReused("the idempotency key was already used for " + e.type() + " " + e.id() + " of "
                    + Money.usd(e.amountMicros()) + " on " + e.account());
        }
        return new Posted(e, a.replayed());
    }

    /** An account's ledger entries, newest first, before the entry {@code beforeId} (null: from the newest). */
    public List<LedgerEntry> ledger(String account, int limit, Long beforeId) {
        return store.ledger(account, limit, beforeId);
    }

    /** The ledger entry that charged a request (its usage entry), if it was charged. */
    public java.util.Optional<LedgerEntry> chargeOf(String requestId) {
        return store.entryFor(requestId);
    }

    /** How {@link #balances(BalanceOrder, Balance, int)} sorts: by what is available (balance − reserved), or by account. */
    public enum BalanceOrder { AVAILABLE_ASC, AVAILABLE_DESC, ACCOUNT }

    /** A page of every account's balance, after {@code after} (the previous page's last row; null for the first). */
    public List<Balance> balances(BalanceOrder order, Balance after, int limit) {
        return store.balancesByAvailable(order, after, limit);
    }

    /** The account's "credits are low" alert threshold (null: no alert). */
    public void setLowBalanceAlert(String account, Long thresholdMicros) {
        store.setLowBalance(account, thresholdMicros);
    }

    /** The same, set by {@code actor} and audited ({@code billing.low_balance_alert}). */
    public void setLowBalanceAlert(String account, Long thresholdMicros, Actor actor) {
        if (thresholdMicros != null && thresholdMicros < 0) {
            throw new IllegalArgumentException("a threshold is not negative");
        }
        store.setLowBalance(account, thresholdMicros, actor);
    }

    /** Whether the account was ever funded (credits granted, an adjustment or a payment), whatever its plan. */
    public boolean funded(String account) {
        return store.funded(account);
    }

    /** Recomputes every balance, reservation and usage charge from their sources; empty when nothing drifted. */
    public List<Drift> reconcile() {
        return store.reconcile();
    }

    // ---- budgets ----

    /** A budget and its current period: spent (settled) and reserved (held by requests in flight). */
    public record BudgetState(Budget budget, long spentMicros, long reservedMicros, Instant resetsAt) {
        public long remainingMicros() {
            return Math.max(0, budget.capMicros() - spentMicros - reservedMicros);
        }
    }

    /** The budgets of an account and (when {@code keyId} is not null) of one of its keys, with their spend. */
    public List<BudgetState> budgets(String account, Long keyId) {
        Instant now = clock.instant();
        List<Budget> all = new ArrayList<>(budgets.get("account:" + account));
        if (keyId != null) {
            all.addAll(budgets.get("key:" + keyId));
        }
        List<BudgetState> out = new ArrayList<>(all.size());
        for (Budget b : all) {
            long[] spend = store.spend(b, now);
            out.add(new BudgetState(b, spend[0], spend[1], b.periodEnd(now)));
        }
        return out;
    }

    /**
     * The budgets of an account and of its keys {@code keyIds} with their spend, in two queries whatever their
     * number: the account's first, then each key's (by key id), day before month.
     */
    public List<BudgetState> budgetsOf(String account, List<Long> keyIds) {
        Instant now = clock.instant();
        List<Budget> all = store.budgetsOf(account, keyIds);
        List<long[]> spend = store.spends(all, now);
        List<BudgetState> out = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            out.add(new BudgetState(all.get(i), spend.get(i)[0], spend.get(i)[1], all.get(i).periodEnd(now)));
        }
        return out;
    }

    /** Sets ({@code capMicros} > 0) or removes (null) a budget; every replica learns it through the change feed. */
    public void setBudget(Budget.Scope scope, String scopeId, Budget.Period period, Long capMicros, Actor actor) {
        if (capMicros != null && capMicros <= 0) {
            throw new IllegalArgumentException("a budget is a positive amount");
        }
        store.setBudget(scope, scopeId, period, capMicros, clock.instant(), actor);
        budgets.invalidate(scope.name().toLowerCase() + ":" + scopeId);
    }

    /** A {@code budget:<scope>:<id>} change from another replica. */
    public void budgetChanged(String id) {
        budgets.invalidate(id);
    }

    public void forgetBudgets() {
        budgets.invalidateAll();
    }
}
