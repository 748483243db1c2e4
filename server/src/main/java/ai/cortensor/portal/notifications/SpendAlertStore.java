package ai.cortensor.portal.notifications;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL of the spend-alert round: writes {@code spend_alerts}, {@code credit_alert_state} and its cursor; reads the
 * money it watches — {@code billing_budgets} with {@code billing_spend}, {@code billing_balances} — and the budget
 * refusals in {@code request_logs}, in the round's one transaction (no other feature's table is written).
 */
final class SpendAlertStore {
    private final Jdbi jdbi;

    SpendAlertStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A budget at or past half its cap in its current period. */
    record BudgetRow(String scope, String scopeId, String period, long capMicros, long spentMicros, Instant periodStart,
                     Long keyId, String keyName, Long keyUserId, Long keyOrganizationId) {
        String counter() {
            return scope + ":" + scopeId + ":" + period;
        }
    }

    /** An account whose credits crossed its threshold since it was last looked at; {@code alerted}: it is below now. */
    record CreditRow(String account, long balanceMicros, Long thresholdMicros, boolean alerted) {}

    /**
     * Runs {@code round} in one transaction holding the round's lock, with where the previous round stopped reading
     * refusals (microseconds since the epoch). Only one replica at a time: the others skip (empty).
     */
    <T> Optional<T> locked(Function<Long, Function<Handle, T>> round) {
        return jdbi.inTransaction(h -> {
            Optional<Long> cursor = h.createQuery("SELECT position FROM notification_cursors WHERE name = 'spend_alerts' "
                    + "FOR UPDATE SKIP LOCKED").mapTo(Long.class).findOne();
            return cursor.map(c -> round.apply(c).apply(h));
        });
    }

    static void advance(Handle h, long micros) {
        h.createUpdate("UPDATE notification_cursors SET position = :p WHERE name = 'spend_alerts'").bind("p", micros)
                .execute();
    }

    /** The counters of budgets that refused a request since {@code since} ({@code budget_exceeded:<counter>}). */
    static List<String> refusedSince(Handle h, Instant since) {
        return h.createQuery("""
                        SELECT DISTINCT substring(block_reason FROM 17) FROM request_logs
                        WHERE status = 'blocked' AND accepted_at > :since AND block_reason LIKE 'budget_exceeded:%'""")
                .bind("since", since).mapTo(String.class).list();
    }

    /**
     * Budgets with at least half their cap spent in their current period (day or month starting then). Driven by the
     * spend rows of the current day and month (index {@code billing_spend_period}): past periods, which pile up,
     * are never read.
     */
    static List<BudgetRow> budgets(Handle h, Instant dayStart, Instant monthStart) {
        return h.createQuery("""
                        SELECT b.scope, b.scope_id, b.period, b.cap_micros, s.spent_micros, s.period_start,
                               k.id AS key_id, k.name AS key_name, k.user_id AS key_user, k.organization_id AS key_org
                        FROM billing_spend s
                        JOIN billing_budgets b ON s.counter = b.scope || ':' || b.scope_id || ':' || b.period
                             AND s.period_start = CASE b.period WHEN 'day' THEN CAST(:day AS TIMESTAMPTZ)
                                                                ELSE CAST(:month AS TIMESTAMPTZ) END
                        LEFT JOIN api_keys k ON k.id = CASE WHEN b.scope = 'key' THEN CAST(b.scope_id AS BIGINT) END
                        WHERE s.period_start IN (CAST(:day AS TIMESTAMPTZ), CAST(:month AS TIMESTAMPTZ))
                          AND s.spent_micros * 2 >= b.cap_micros""")
                .bind("day", dayStart).bind("month", monthStart)
                .map((rs, ctx) -> new BudgetRow(rs.getString("scope"), rs.getString("scope_id"), rs.getString("period"),
                        rs.getLong("cap_micros"), rs.getLong("spent_micros"),
                        rs.getTimestamp("period_start").toInstant(), (Long) rs.getObject("key_id"),
                        rs.getString("key_name"), (Long) rs.getObject("key_user"), (Long) rs.getObject("key_org")))
                .list();
    }

    /** The highest threshold already alerted (or skipped) per alert period, among {@code periods}. */
    static Map<String, Integer> alerted(Handle h, List<String> periods) {
        Map<String, Integer> out = new HashMap<>();
        h.createQuery("SELECT account, kind, period FROM spend_alerts WHERE period = ANY(:p) "
                        + "AND kind LIKE 'budget%'")
                .bindArray("p", String.class, periods)
                .map((rs, ctx) -> Map.entry(rs.getString("account") + " " + rs.getString("period"),
                        Integer.parseInt(rs.getString("kind").substring("budget_".length()))))
                .forEach(e -> out.merge(e.getKey(), e.getValue(), Math::max));
        return out;
    }

    /** Writes an alert once; its id, or empty when (account, kind, period) exists. */
    static Optional<Long> insert(Handle h, String account, String kind, String period, boolean skipped) {
        return h.createQuery("""
                        INSERT INTO spend_alerts (account, kind, period, skipped) VALUES (:a, :k, :p, :s)
                        ON CONFLICT (account, kind, period) DO NOTHING RETURNING id""")
                .bind("a", account).bind("k", kind).bind("p", period).bind("s", skipped).mapTo(Long.class).findOne();
    }

    /**
     * Accounts to act on: below their threshold and not alerted yet, or alerted and no longer below (their credits
     * rose above it, or the threshold was lowered or removed).
     */
    static List<CreditRow> credits(Handle h) {
        return h.createQuery("""
                        SELECT b.account, b.balance_micros AS balance, b.low_balance_micros, FALSE AS alerted
                        FROM billing_balances b
                        WHERE b.low_balance_micros IS NOT NULL AND b.balance_micros < b.low_balance_micros
                          AND NOT EXISTS (SELECT 1 FROM credit_alert_state s WHERE s.account = b.account)
                        UNION ALL
                        SELECT s.account, coalesce(b.balance_micros, 0), b.low_balance_micros, TRUE
                        FROM credit_alert_state s LEFT JOIN billing_balances b ON b.account = s.account
                        WHERE b.account IS NULL OR b.low_balance_micros IS NULL
                           OR b.balance_micros >= b.low_balance_micros""")
                .map((rs, ctx) -> new CreditRow(rs.getString("account"), rs.getLong("balance"),
                        (Long) rs.getObject("low_balance_micros"), rs.getBoolean("alerted"))).list();
    }

    static void below(Handle h, String account, Instant since) {
        h.createUpdate("INSERT INTO credit_alert_state (account, below_since) VALUES (:a, :t) "
                + "ON CONFLICT (account) DO NOTHING").bind("a", account).bind("t", since).execute();
    }

    static void rearm(Handle h, String account) {
        h.createUpdate("DELETE FROM credit_alert_state WHERE account = :a").bind("a", account).execute();
    }

    /** Deletes alerts older than {@code before} (their periods are over: a period is at most a month). */
    static int sweep(Handle h, Instant before) {
        return h.createUpdate("DELETE FROM spend_alerts WHERE created_at < :b").bind("b", before).execute();
    }
}
