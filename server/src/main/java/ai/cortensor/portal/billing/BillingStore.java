package ai.cortensor.portal.billing;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.changes.ChangeFeed;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.postgresql.util.PSQLException;

/**
 * SQL for {@code billing_ledger}, {@code billing_balances}, {@code billing_budgets}, {@code billing_spend} and
 * {@code billing_holds}. Holding and settling are the PL/pgSQL functions of migration V21 (one round trip each,
 * atomic across replicas); everything else is plain SQL here.
 */
final class BillingStore {
    private final Jdbi jdbi;

    BillingStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A hold's answer: {@code refused} null when held, else {@code credits} or the counter of the budget that refused
     * (nothing held then); {@code remaining} what each budget (in the order given) has left after the hold.
     */
    record Held(String refused, long[] remaining) {}

    Held hold(String requestId, String account, boolean prepaid, long amount, List<Budget> budgets, Instant now) {
        String[] counters = new String[budgets.size()];
        Timestamp[] periods = new Timestamp[budgets.size()];
        Long[] caps = new Long[budgets.size()];
        for (int i = 0; i < budgets.size(); i++) {
            counters[i] = budgets.get(i).counter();
            periods[i] = Timestamp.from(budgets.get(i).periodStart(now));
            caps[i] = budgets.get(i).capMicros();
        }
        try {
            return jdbi.withHandle(h -> {
                var c = h.getConnection();
                try (var ps = c.prepareStatement("SELECT * FROM billing_hold_remaining(?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, requestId);
                    ps.setString(2, account);
                    ps.setBoolean(3, prepaid);
                    ps.setLong(4, amount);
                    ps.setArray(5, c.createArrayOf("text", counters));
                    ps.setArray(6, c.createArrayOf("timestamptz", periods));
                    ps.setArray(7, c.createArrayOf("int8", caps));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        String refused = rs.getString("refused");
                        java.sql.Array left = rs.getArray("remaining");
                        long[] remaining = new long[budgets.size()];
                        if (refused == null && left != null) {
                            Long[] values = (Long[]) left.getArray();
                            for (int i = 0; i < remaining.length && i < values.length; i++) {
                                remaining[i] = values[i];
                            }
                        }
                        return new Held(refused, refused == null ? remaining : new long[0]);
                    }
                }
            });
        } catch (SQLException e) {
            String refused = refusal(e);
            if (refused != null) {
                return new Held(refused, new long[0]);
            }
            throw new UnableToExecuteStatementException("billing_hold", e, null);
        }
    }

    private static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && "P0001".equals(p.getSQLState()) && p.getServerErrorMessage() != null
                    && p.getServerErrorMessage().getMessage() != null
                    && p.getServerErrorMessage().getMessage().startsWith("billing_refused:")) {
                return p.getServerErrorMessage().getMessage().substring("billing_refused:".length());
            }
        }
        return null;
    }

    /** Releases a request's hold without charging; false when it held nothing (or was settled already). */
    boolean release(String requestId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT billing_release(:r)").bind("r", requestId)
                .mapTo(Boolean.class).one());
    }

    /** Holds older than {@code before}: requests whose process died before their usage was written. */
    List<String> staleHolds(Instant before, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT request_id FROM billing_holds WHERE created_at < :b "
                        + "ORDER BY created_at LIMIT :n")
                .bind("b", before).bind("n", limit).mapTo(String.class).list());
    }

    // ---- balances and the ledger ----

    Balance balance(String account) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM billing_balances WHERE account = :a")
                .bind("a", account).map((rs, ctx) -> balance(rs)).findOne()
                .orElse(new Balance(account, 0, 0, null)));
    }

    List<Balance> balances(int limit, String after) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM billing_balances WHERE (:after IS NULL OR account > :after) "
                        + "ORDER BY account LIMIT :n")
                .bind("after", after).bind("n", limit).map((rs, ctx) -> balance(rs)).list());
    }

    /** What {@link #append} did: the entry, and whether it was written earlier under the same idempotency key. */
    record Appended(LedgerEntry entry, boolean replayed) {}

    /**
     * Appends a grant, an adjustment or a payment with its audit event (the balance before and after), and moves the
     * balance, in one transaction. With an idempotency key already used, nothing is written and the earlier entry is
     * returned — also when two calls with the same key race (the second waits for the first and finds its entry).
     */
    Appended append(String account, Long userId, Long organizationId, String type, long amount, String description,
                    Actor actor, String reason, String idempotencyKey) {
        return jdbi.inTransaction(h -> {
            Optional<LedgerEntry> inserted = h.createQuery("""
                            INSERT INTO billing_ledger (account, user_id, organization_id, entry_type, amount_micros,
                                description, actor, idempotency_key)
                            VALUES (:a, :u, :o, :t, :m, :d, :actor, :k)
                            ON CONFLICT (idempotency_key) DO NOTHING RETURNING *""")
                    .bind("a", account).bind("u", userId).bind("o", organizationId).bind("t", type).bind("m", amount)
                    .bind("d", description).bind("actor", actor.name()).bind("k", idempotencyKey)
                    .map((rs, ctx) -> entry(rs)).findOne();
            if (inserted.isEmpty()) { // only with a key: NULL keys never conflict
                return new Appended(h.createQuery("SELECT * FROM billing_ledger WHERE idempotency_key = :k")
                        .bind("k", idempotencyKey).map((rs, ctx) -> entry(rs)).one(), true);
            }
            LedgerEntry e = inserted.get();
            long after = h.createQuery("""
                            INSERT INTO billing_balances (account, balance_micros) VALUES (:a, :m)
                            ON CONFLICT (account) DO UPDATE
                            SET balance_micros = billing_balances.balance_micros + :m, updated_at = now()
                            RETURNING balance_micros""")
                    .bind("a", account).bind("m", amount).mapTo(Long.class).one();
            Map<String, Object> state = new java.util.LinkedHashMap<>();
            state.put("balance_micros", after);
            state.put("amount_micros", amount);
            state.put("ledger_entry", e.id());
            if (idempotencyKey != null) {
                state.put("idempotency_key", idempotencyKey);
            }
            AuditLog.append(h, actor, "billing." + type, "account", account, Map.of("balance_micros", after - amount),
                    state, reason);
            return new Appended(e, false);
        });
    }

    /**
     * An account's entries, newest first, before the entry {@code beforeId} (null: from the newest). Walks the
     * (account, created_at) index, so a page costs the same for an account with a million entries.
     */
    List<LedgerEntry> ledger(String account, int limit, Long beforeId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM billing_ledger WHERE account = :a
                        AND (CAST(:b AS BIGINT) IS NULL
                             OR (created_at, id) < (SELECT created_at, id FROM billing_ledger WHERE id = :b))
                        ORDER BY created_at DESC, id DESC LIMIT :n""")
                .bind("a", account).bind("b", beforeId).bind("n", limit).map((rs, ctx) -> entry(rs)).list());
    }

    /** The usage entry that charged a request, if it was charged. */
    Optional<LedgerEntry> entryFor(String requestId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM billing_ledger WHERE request_id = :r")
                .bind("r", requestId).map((rs, ctx) -> entry(rs)).findOne());
    }

    /**
     * One page of balances after {@code after} (the previous page's last row, null for the first), keyset-paged.
     * Sorting by available reads every balance row once per page (there is deliberately no index on the available
     * amount: holds and settlements update it on every request, and an index would cost them their HOT updates);
     * docs/billing.md gives the measured cost.
     */
    List<Balance> balancesByAvailable(Billing.BalanceOrder order, Balance after, int limit) {
        String where;
        String orderBy;
        switch (order) {
            case AVAILABLE_ASC -> {
                where = "(balance_micros - reserved_micros, account) > (:av, :acct)";
                orderBy = "balance_micros - reserved_micros, account";
            }
            case AVAILABLE_DESC -> {
                where = "(balance_micros - reserved_micros, account) < (:av, :acct)";
                orderBy = "balance_micros - reserved_micros DESC, account DESC";
            }
            default -> {
                where = "account > :acct";
                orderBy = "account";
            }
        }
        return jdbi.withHandle(h -> {
            var q = h.createQuery("SELECT * FROM billing_balances" + (after == null ? "" : " WHERE " + where)
                    + " ORDER BY " + orderBy + " LIMIT :n").bind("n", limit);
            if (after != null) {
                q.bind("acct", after.account());
                if (order != Billing.BalanceOrder.ACCOUNT) {
                    q.bind("av", after.availableMicros());
                }
            }
            return q.map((rs, ctx) -> balance(rs)).list();
        });
    }

    void setLowBalance(String account, Long thresholdMicros) {
        jdbi.useHandle(h -> setLowBalance(h, account, thresholdMicros));
    }

    /** Sets (or, null, removes) the low-credit alert threshold, audited ({@code billing.low_balance_alert}). */
    void setLowBalance(String account, Long thresholdMicros, Actor actor) {
        jdbi.useTransaction(h -> {
            Long before = h.createQuery("SELECT low_balance_micros FROM billing_balances WHERE account = :a")
                    .bind("a", account).mapTo(Long.class).findOne().orElse(null);
            setLowBalance(h, account, thresholdMicros);
            AuditLog.append(h, actor, "billing.low_balance_alert", "account", account,
                    before == null ? null : Map.of("threshold_micros", before),
                    thresholdMicros == null ? null : Map.of("threshold_micros", thresholdMicros), null);
        });
    }

    private static void setLowBalance(Handle h, String account, Long thresholdMicros) {
        h.createUpdate("""
                        INSERT INTO billing_balances (account, low_balance_micros) VALUES (:a, :t)
                        ON CONFLICT (account) DO UPDATE SET low_balance_micros = :t, updated_at = now()""")
                .bind("a", account).bind("t", thresholdMicros).execute();
    }

    /** Whether the account was ever funded: a credit, adjustment or payment entry (V23's partial index). */
    boolean funded(String account) {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM billing_ledger WHERE account = :a "
                        + "AND entry_type <> 'usage')")
                .bind("a", account).mapTo(Boolean.class).one());
    }

    /**
     * Every way the money tables could disagree: a balance that is not the sum of its ledger, a reservation that is
     * not the sum of its holds, a usage entry that is not its usage event's cost. Empty when all agree.
     */
    List<Drift> reconcile() {
        return jdbi.withHandle(h -> {
            List<Drift> out = new java.util.ArrayList<>(h.createQuery("""
                    SELECT coalesce(b.account, l.account) AS account, coalesce(b.balance_micros, 0) AS recorded,
                           coalesce(l.total, 0) AS computed
                    FROM billing_balances b
                    FULL JOIN (SELECT account, sum(amount_micros) AS total FROM billing_ledger GROUP BY account) l
                      ON l.account = b.account
                    WHERE coalesce(b.balance_micros, 0) <> coalesce(l.total, 0)""")
                    .map((rs, ctx) -> new Drift("balance", rs.getString("account"), rs.getLong("recorded"),
                            rs.getLong("computed"))).list());
            out.addAll(h.createQuery("""
                    SELECT b.account, b.reserved_micros AS recorded, coalesce(x.total, 0) AS computed
                    FROM billing_balances b
                    LEFT JOIN (SELECT account, sum(amount_micros) AS total FROM billing_holds WHERE prepaid
                               GROUP BY account) x ON x.account = b.account
                    WHERE b.reserved_micros <> coalesce(x.total, 0)""")
                    .map((rs, ctx) -> new Drift("reserved", rs.getString("account"), rs.getLong("recorded"),
                            rs.getLong("computed"))).list());
            out.addAll(h.createQuery("""
                    SELECT u.request_id, -l.amount_micros AS recorded, u.cost_micros AS computed
                    FROM usage_events u LEFT JOIN billing_ledger l ON l.request_id = u.request_id
                    WHERE l.id IS NULL OR -l.amount_micros <> u.cost_micros
                    LIMIT 1000""")
                    .map((rs, ctx) -> new Drift("usage", rs.getString("request_id"), rs.getLong("recorded"),
                            rs.getLong("computed"))).list());
            return out;
        });
    }

    // ---- budgets ----

    List<Budget> budgets(Budget.Scope scope, String scopeId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM billing_budgets WHERE scope = :s AND scope_id = :i "
                        + "ORDER BY period")
                .bind("s", scope.name().toLowerCase()).bind("i", scopeId)
                .map((rs, ctx) -> new Budget(scope, scopeId, Budget.Period.valueOf(rs.getString("period").toUpperCase()),
                        rs.getLong("cap_micros"))).list());
    }

    /**
     * Sets (or, with {@code capMicros} null, removes) a budget, audited. A new budget starts its current period
     * from what was already spent in it, so setting a cap at noon counts the morning's spend.
     */
    void setBudget(Budget.Scope scope, String scopeId, Budget.Period period, Long capMicros, Instant now,
                   Actor actor) {
        String spendSql = scope == Budget.Scope.KEY ? "api_key_id = :v"
                : scopeId.startsWith("o") ? "organization_id = :v" : "user_id = :v AND organization_id IS NULL";
        long spendScopeValue = Long.parseLong(scope == Budget.Scope.KEY ? scopeId : scopeId.substring(1));
        jdbi.useTransaction(h -> {
            String s = scope.name().toLowerCase();
            String p = period.name().toLowerCase();
            Optional<Long> before = h.createQuery("SELECT cap_micros FROM billing_budgets WHERE scope = :s AND "
                            + "scope_id = :i AND period = :p").bind("s", s).bind("i", scopeId).bind("p", p)
                    .mapTo(Long.class).findOne();
            if (capMicros == null) {
                h.createUpdate("DELETE FROM billing_budgets WHERE scope = :s AND scope_id = :i AND period = :p")
                        .bind("s", s).bind("i", scopeId).bind("p", p).execute();
            } else {
                h.createUpdate("""
                                INSERT INTO billing_budgets (scope, scope_id, period, cap_micros) VALUES (:s, :i, :p, :c)
                                ON CONFLICT (scope, scope_id, period) DO UPDATE SET cap_micros = :c, updated_at = now()""")
                        .bind("s", s).bind("i", scopeId).bind("p", p).bind("c", capMicros).execute();
                Budget b = new Budget(scope, scopeId, period, capMicros);
                Instant start = b.periodStart(now);
                h.createUpdate("INSERT INTO billing_spend (counter, period_start, spent_micros) SELECT :c, :start, "
                                + "coalesce(sum(cost_micros), 0) FROM usage_events WHERE " + spendSql
                                + " AND occurred_at >= :start ON CONFLICT (counter, period_start) DO NOTHING")
                        .bind("c", b.counter()).bind("start", start).bind("v", spendScopeValue).execute();
            }
            AuditLog.append(h, actor, capMicros == null ? "budget.remove" : "budget.set", s, scopeId,
                    before.map(c -> Map.of("period", p, "cap_micros", c)).orElse(null),
                    capMicros == null ? null : Map.of("period", p, "cap_micros", capMicros), null);
            ChangeFeed.publishOnCommit(h, ChangeFeed.BUDGET, s + ":" + scopeId);
        });
    }

    /** The budgets of an account and of the keys {@code keyIds}, in one query: account first, then by key. */
    List<Budget> budgetsOf(String account, List<Long> keyIds) {
        String[] keys = keyIds.stream().map(String::valueOf).toArray(String[]::new);
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM billing_budgets WHERE (scope = 'account' AND "
                        + "scope_id = :a) OR (scope = 'key' AND scope_id = ANY(:k)) "
                        + "ORDER BY scope, length(scope_id), scope_id, period")
                .bind("a", account).bind("k", keys)
                .map((rs, ctx) -> new Budget(Budget.Scope.valueOf(rs.getString("scope").toUpperCase()),
                        rs.getString("scope_id"), Budget.Period.valueOf(rs.getString("period").toUpperCase()),
                        rs.getLong("cap_micros"))).list());
    }

    /** Spent and reserved in each budget's current period, in one query; {0, 0} where nothing was counted yet. */
    List<long[]> spends(List<Budget> budgets, Instant now) {
        if (budgets.isEmpty()) {
            return List.of();
        }
        String[] counters = budgets.stream().map(Budget::counter).toArray(String[]::new);
        Timestamp[] periods = budgets.stream().map(b -> Timestamp.from(b.periodStart(now))).toArray(Timestamp[]::new);
        Map<String, long[]> found = new java.util.HashMap<>();
        try {
            read(found, counters, periods);
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException("budget spends", e, null);
        }
        return budgets.stream().map(b -> found.getOrDefault(b.counter(), new long[] {0, 0})).toList();
    }

    private void read(Map<String, long[]> found, String[] counters, Timestamp[] periods) throws SQLException {
        jdbi.useHandle(h -> {
            var c = h.getConnection();
            try (var ps = c.prepareStatement("SELECT s.counter, s.spent_micros, s.reserved_micros FROM billing_spend s "
                    + "JOIN unnest(?::text[], ?::timestamptz[]) AS b (counter, period_start) "
                    + "ON s.counter = b.counter AND s.period_start = b.period_start")) {
                ps.setArray(1, c.createArrayOf("text", counters));
                ps.setArray(2, c.createArrayOf("timestamptz", periods));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                    }
                }
            }
        });
    }

    /** Spent and reserved in a budget's current period. */
    long[] spend(Budget b, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT spent_micros, reserved_micros FROM billing_spend "
                        + "WHERE counter = :c AND period_start = :p")
                .bind("c", b.counter()).bind("p", b.periodStart(now))
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).findOne().orElse(new long[] {0, 0}));
    }

    private static Balance balance(ResultSet rs) throws SQLException {
        Long low = rs.getObject("low_balance_micros", Long.class); // null: no alert (wasNull would read the last column)
        return new Balance(rs.getString("account"), rs.getLong("balance_micros"), rs.getLong("reserved_micros"), low);
    }

    private static LedgerEntry entry(ResultSet rs) throws SQLException {
        return new LedgerEntry(rs.getLong("id"), rs.getString("account"), rs.getString("entry_type"),
                rs.getLong("amount_micros"), rs.getString("description"), rs.getString("request_id"),
                rs.getString("actor"), rs.getString("idempotency_key"), rs.getTimestamp("created_at").toInstant());
    }

    static void settle(Handle h, List<String> requestIds, List<String> accounts, List<Long> costs, List<Boolean> served)
            throws SQLException {
        var c = h.getConnection();
        try (var ps = c.prepareStatement("SELECT billing_settle(?, ?, ?, ?)")) {
            ps.setArray(1, c.createArrayOf("text", requestIds.toArray()));
            ps.setArray(2, c.createArrayOf("text", accounts.toArray()));
            ps.setArray(3, c.createArrayOf("int8", costs.toArray()));
            ps.setArray(4, c.createArrayOf("bool", served.toArray()));
            ps.execute();
        }
    }
}
