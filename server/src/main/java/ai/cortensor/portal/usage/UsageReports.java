package ai.cortensor.portal.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * What a customer may see of their own traffic: daily series, recent requests and totals, always scoped to one
 * account (personal: the user's keys outside organizations; organization: the organization's keys).
 */
public final class UsageReports {
    private static final String SCOPE = "(CASE WHEN CAST(:org AS BIGINT) IS NULL "
            + "THEN organization_id IS NULL AND user_id = :u ELSE organization_id = :org END)";
    private static final String FILTERS = " AND (CAST(:key AS BIGINT) IS NULL OR api_key_id = :key)"
            + " AND (CAST(:model AS TEXT) IS NULL OR model_alias = :model)";

    private final Jdbi jdbi;

    public UsageReports(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Whose usage, optionally narrowed to one key or model. */
    public record Scope(long userId, Long organizationId, Long keyId, String model) {}

    public record Day(LocalDate day, long requests, long promptTokens, long completionTokens) {}

    public record Row(Instant at, String requestId, String route, String model, String status, int httpStatus, String errorCode,
                      Integer promptTokens, Integer completionTokens, boolean estimated, int latencyMs, Long keyId) {}

    public record Totals(long requests, long promptTokens, long completionTokens) {
        public long tokens() {
            return promptTokens + completionTokens;
        }
    }

    /** One entry per UTC day in [from, to], zero-filled. */
    public List<Day> daily(Scope s, LocalDate from, LocalDate to) {
        return jdbi.withHandle(h -> bind(h.createQuery("""
                SELECT d::date AS day, count(r.request_id) AS requests,
                       coalesce(sum(r.prompt_tokens) FILTER (WHERE r.usage_recorded), 0) AS pt,
                       coalesce(sum(r.completion_tokens) FILTER (WHERE r.usage_recorded), 0) AS ct
                FROM generate_series(CAST(:from AS date), CAST(:to AS date), interval '1 day') d
                LEFT JOIN request_logs r ON r.accepted_at >= d AND r.accepted_at < d + interval '1 day'
                     AND r.status <> 'blocked' AND """ + SCOPE.replace("organization_id", "r.organization_id")
                        .replace("user_id", "r.user_id") + FILTERS.replace("api_key_id", "r.api_key_id")
                        .replace("model_alias", "r.model_alias") + """
                GROUP BY d ORDER BY d"""), s)
                .bind("from", from).bind("to", to)
                .map((rs, ctx) -> new Day(rs.getDate("day").toLocalDate(), rs.getLong("requests"), rs.getLong("pt"),
                        rs.getLong("ct"))).list());
    }

    /**
     * Spend of one UTC day on one model: served requests, their tokens and what they cost (micro-USD, each request
     * at the prices in force when it was admitted — what the ledger charged).
     */
    public record Spend(LocalDate day, String model, long requests, long promptTokens, long completionTokens,
                        long costMicros) {}

    /**
     * Spend per UTC day and model over [from, to] (whole days), of every account or of one ({@code userId} for a
     * personal account, {@code organizationId} for an organization's; both null: all). Days and models without
     * traffic are absent. One range scan of the window's usage events (V22's {@code usage_events_time} carries the
     * model and the cost, so it is index-only); per account, that account's own index.
     */
    public List<Spend> spend(LocalDate from, LocalDate to, Long userId, Long organizationId) {
        String scope = organizationId != null ? " AND organization_id = :org"
                : userId != null ? " AND organization_id IS NULL AND user_id = :u" : "";
        return jdbi.withHandle(h -> {
            Query q = h.createQuery("""
                    SELECT CAST(occurred_at AT TIME ZONE 'UTC' AS date) AS day, model_alias, count(*) AS n,
                           coalesce(sum(prompt_tokens), 0) AS pt, coalesce(sum(completion_tokens), 0) AS ct,
                           coalesce(sum(cost_micros), 0) AS cost
                    FROM usage_events WHERE occurred_at >= :from AND occurred_at < :to""" + scope
                    + " GROUP BY 1, 2 ORDER BY 1, 2")
                    .bind("from", from.atStartOfDay(ZoneOffset.UTC).toInstant())
                    .bind("to", to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            if (organizationId != null) {
                q.bind("org", organizationId);
            } else if (userId != null) {
                q.bind("u", userId);
            }
            return q.map((rs, ctx) -> new Spend(rs.getDate("day").toLocalDate(), rs.getString("model_alias"),
                    rs.getLong("n"), rs.getLong("pt"), rs.getLong("ct"), rs.getLong("cost"))).list();
        });
    }

    public List<Row> recent(Scope s, int limit) {
        return jdbi.withHandle(h -> bind(h.createQuery("SELECT * FROM request_logs WHERE " + SCOPE + FILTERS
                        + " ORDER BY accepted_at DESC LIMIT :limit"), s)
                .bind("limit", limit)
                .map((rs, ctx) -> {
                    int pt = rs.getInt("prompt_tokens");
                    Integer prompt = rs.wasNull() ? null : pt;
                    int ct = rs.getInt("completion_tokens");
                    Integer completion = rs.wasNull() ? null : ct;
                    long k = rs.getLong("api_key_id");
                    Long key = rs.wasNull() ? null : k;
                    return new Row(rs.getTimestamp("accepted_at").toInstant(), rs.getString("request_id"),
                            rs.getString("route"), rs.getString("model_alias"), rs.getString("status"), rs.getInt("http_status"),
                            rs.getString("error_code"), prompt, completion, rs.getBoolean("tokens_estimated"),
                            rs.getInt("latency_ms"), key);
                }).list());
    }

    /**
     * Served requests and their tokens since {@code since}. The SQL names only the filters present, so the planner
     * always sees plain equalities and walks the account's own index (V11), whatever plan it caches.
     */
    public Totals totals(Scope s, Instant since) {
        return totals(s, since, since).get(0);
    }

    /**
     * Totals since each of two instants in one pass over the account's index (operators' account status shows the
     * last day and week: one read of the week instead of two). {@code recent} must not be before {@code since}.
     */
    public List<Totals> totals(Scope s, Instant since, Instant recent) {
        StringBuilder sql = new StringBuilder("SELECT count(*) AS n, coalesce(sum(prompt_tokens), 0) AS pt, "
                + "coalesce(sum(completion_tokens), 0) AS ct, count(*) FILTER (WHERE occurred_at >= :recent) AS rn, "
                + "coalesce(sum(prompt_tokens) FILTER (WHERE occurred_at >= :recent), 0) AS rpt, "
                + "coalesce(sum(completion_tokens) FILTER (WHERE occurred_at >= :recent), 0) AS rct "
                + "FROM usage_events WHERE occurred_at >= :since AND ")
                .append(s.organizationId() == null ? "organization_id IS NULL AND user_id = :u" : "organization_id = :org");
        if (s.keyId() != null) {
            sql.append(" AND api_key_id = :key");
        }
        if (s.model() != null) {
            sql.append(" AND model_alias = :model");
        }
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("since", since).bind("recent", recent);
            if (s.organizationId() == null) {
                q.bind("u", s.userId());
            } else {
                q.bind("org", s.organizationId());
            }
            if (s.keyId() != null) {
                q.bind("key", s.keyId());
            }
            if (s.model() != null) {
                q.bind("model", s.model());
            }
            return q.map((rs, ctx) -> List.of(new Totals(rs.getLong("n"), rs.getLong("pt"), rs.getLong("ct")),
                    new Totals(rs.getLong("rn"), rs.getLong("rpt"), rs.getLong("rct")))).one();
        });
    }

    /**
     * Served usage of one model: requests, tokens and what they cost (micro-USD, each request at the prices in
     * force when it was admitted, as the ledger charged it).
     */
    public record ModelTotals(String model, long requests, long promptTokens, long completionTokens, long costMicros) {}

    /** Served requests, tokens and cost since {@code since}, per model (from usage events, as billed). */
    public List<ModelTotals> byModel(Scope s, Instant since) {
        String scope = s.organizationId() == null ? "organization_id IS NULL AND user_id = :u" : "organization_id = :org";
        return jdbi.withHandle(h -> {
            Query q = h.createQuery("SELECT model_alias, count(*) AS n, coalesce(sum(prompt_tokens), 0) AS pt, "
                    + "coalesce(sum(completion_tokens), 0) AS ct, coalesce(sum(cost_micros), 0) AS cost FROM usage_events WHERE occurred_at >= :since AND "
                    + scope + " GROUP BY model_alias ORDER BY model_alias").bind("since", since);
            if (s.organizationId() == null) {
                q.bind("u", s.userId());
            } else {
                q.bind("org", s.organizationId());
            }
            return q.map((rs, ctx) -> new ModelTotals(rs.getString("model_alias"), rs.getLong("n"), rs.getLong("pt"),
                    rs.getLong("ct"), rs.getLong("cost"))).list();
        });
    }

    /**
     * An account's served usage over a window: {@code account} is {@code u<user id>} or {@code o<organization id>};
     * {@code userId} is the personal account's user (0 for an organization).
     */
    public record AccountUsage(String account, long userId, Long organizationId, long requests, long tokens) {}

    /**
     * Accounts by served requests or tokens ({@code byTokens}) since {@code since}, most first, ties by account id;
     * after the account {@code afterAccount} with the value {@code afterValue} (both null for the first page). One
     * index-only range scan of the window's usage events (V16's {@code usage_events_time}), summed by account.
     */
    public List<AccountUsage> topAccounts(Instant since, boolean byTokens, Long afterValue, String afterAccount,
                                          int limit) {
        String value = byTokens ? "tokens" : "requests";
        String sql = """
                SELECT * FROM (
                    SELECT CASE WHEN organization_id IS NULL THEN 'u' || uid ELSE 'o' || organization_id END AS account,
                           organization_id, uid AS user_id, requests, tokens
                    FROM (SELECT organization_id, CASE WHEN organization_id IS NULL THEN user_id END AS uid,
                                 count(*) AS requests, coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens
                          FROM usage_events WHERE occurred_at >= :since
                          GROUP BY 1, 2) e) a
                """ + (afterValue == null ? "" : "WHERE (" + value + " < :v OR (" + value + " = :v AND account > :a))\n")
                + "ORDER BY " + value + " DESC, account LIMIT :n";
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql).bind("since", since).bind("n", limit);
            if (afterValue != null) {
                q.bind("v", afterValue).bind("a", afterAccount);
            }
            return q.map((rs, ctx) -> {
                long org = rs.getLong("organization_id");
                Long orgId = rs.wasNull() ? null : org;
                return new AccountUsage(rs.getString("account"), orgId == null ? rs.getLong("user_id") : 0, orgId,
                        rs.getLong("requests"),
                        rs.getLong("tokens"));
            }).list();
        });
    }

    public static LocalDate utcDay(Instant i) {
        return LocalDate.ofInstant(i, ZoneOffset.UTC);
    }

    private static Query bind(Query q, Scope s) {
        return q.bind("u", s.userId()).bind("org", s.organizationId()).bind("key", s.keyId()).bind("model", s.model());
    }
}
