package ai.cortensor.portal.usage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * What a customer's requests cost, always within one account ({@link UsageReports.Scope}): the spend of a range,
 * spend per day by model or by key, every served request of a range as export rows, and one request looked up by
 * its id. Costs are the usage events' {@code cost_micros} — the amounts the ledger holds, to the micro-dollar. Sums
 * read {@code usage_daily} (V23, kept by the usage writer), so they cost days × models × keys rows, not requests.
 */
public final class SpendReports {
    /** Rows per query of an export: memory stays bounded whatever the range, and no connection waits on a client. */
    static final int EXPORT_CHUNK = 1000;

    private final Jdbi jdbi;

    public SpendReports(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** What spend per day is grouped by. */
    public enum By { MODEL, KEY }

    /** One day's spend of one model (alias) or one key (its id, as text). */
    public record DaySpend(LocalDate day, String series, long requests, long promptTokens, long completionTokens,
                           long costMicros) {}

    /** One served request of an export; {@code keyPrefix} is {@code ctsr_<public id>}. */
    public record ExportRow(Instant at, String requestId, String keyPrefix, String model, int promptTokens,
                            int completionTokens, long costMicros, String status) {}

    /** A request as {@code GET /v1/generation} tells it; {@code costMicros} is null when nothing was served. */
    public record Generation(String requestId, Instant createdAt, String route, String model, boolean stream,
                             String status, int httpStatus, String errorCode, String finishReason, Integer ttftMs,
                             int latencyMs, Integer promptTokens, Integer completionTokens, Integer reasoningTokens,
                             boolean tokensEstimated, Long costMicros) {}

    /** Receives export rows in time order; may throw to stop the export (the client left). */
    @FunctionalInterface
    public interface RowSink {
        void accept(ExportRow row) throws Exception;
    }

    /** Served requests, their tokens and what they cost, of the UTC days [from, to]. */
    public record Totals(long requests, long promptTokens, long completionTokens, long costMicros) {}

    /** The account's spend, micro-USD, of the requests accepted on the UTC days [from, to]. */
    public long spent(UsageReports.Scope s, LocalDate from, LocalDate to) {
        return totals(s, from, to).costMicros();
    }

    /** The account's served requests, tokens and spend of the UTC days [from, to]. */
    public Totals totals(UsageReports.Scope s, LocalDate from, LocalDate to) {
        return jdbi.withHandle(h -> bindDaily(h.createQuery("SELECT coalesce(sum(requests), 0) AS n, "
                        + "coalesce(sum(prompt_tokens), 0) AS pt, coalesce(sum(completion_tokens), 0) AS ct, "
                        + "coalesce(sum(cost_micros), 0) AS cost FROM usage_daily WHERE " + daily(s)
                        + " AND day BETWEEN :from AND :to"), s)
                .bind("from", from).bind("to", to)
                .map((rs, ctx) -> new Totals(rs.getLong("n"), rs.getLong("pt"), rs.getLong("ct"), rs.getLong("cost")))
                .one());
    }

    /** Spend per UTC day in [from, to] and per model or key; days and series without spend are absent. */
    public List<DaySpend> daily(UsageReports.Scope s, LocalDate from, LocalDate to, By by) {
        String series = by == By.MODEL ? "model_alias" : "api_key_id::text";
        return jdbi.withHandle(h -> bindDaily(h.createQuery("SELECT day, " + series + " AS series, sum(requests) AS n, "
                        + "sum(prompt_tokens) AS pt, sum(completion_tokens) AS ct, sum(cost_micros) AS cost "
                        + "FROM usage_daily WHERE " + daily(s) + " AND day BETWEEN :from AND :to "
                        + "GROUP BY 1, 2 ORDER BY 1, 2"), s)
                .bind("from", from).bind("to", to)
                .map((rs, ctx) -> new DaySpend(rs.getDate("day").toLocalDate(), rs.getString("series"),
                        rs.getLong("n"), rs.getLong("pt"), rs.getLong("ct"), rs.getLong("cost"))).list());
    }

    /**
     * Every served request accepted in [from, to), oldest first, handed to {@code sink} as it is read: a query per
     * {@link #EXPORT_CHUNK} rows, continuing after the last row seen (time, then request id), so memory stays bounded
     * and no database connection is held while the client reads. A request whose usage is written while the export
     * runs appears only if it sorts after the rows already sent.
     */
    public void export(UsageReports.Scope s, Instant from, Instant to, RowSink sink) throws Exception {
        Instant after = from;
        String afterId = "";
        while (true) {
            Instant at = after;
            String id = afterId;
            List<ExportRow> chunk = jdbi.withHandle(h -> bind(h.createQuery("SELECT u.occurred_at, u.request_id, "
                            + "'ctsr_' || k.public_id AS prefix, u.model_alias, u.prompt_tokens, u.completion_tokens, "
                            + "u.cost_micros, u.status FROM usage_events u LEFT JOIN api_keys k ON k.id = u.api_key_id "
                            + "WHERE " + where(s, "u.")
                            + " AND u.occurred_at >= :at AND u.occurred_at < :to"
                            + " AND (u.occurred_at > :at OR u.request_id > :id)"
                            + " ORDER BY u.occurred_at, u.request_id LIMIT " + EXPORT_CHUNK), s)
                    .bind("at", at).bind("id", id).bind("to", to)
                    .map((rs, ctx) -> new ExportRow(rs.getTimestamp("occurred_at").toInstant(),
                            rs.getString("request_id"), rs.getString("prefix"), rs.getString("model_alias"),
                            rs.getInt("prompt_tokens"), rs.getInt("completion_tokens"), rs.getLong("cost_micros"),
                            rs.getString("status"))).list());
            for (ExportRow r : chunk) {
                sink.accept(r);
            }
            if (chunk.size() < EXPORT_CHUNK) {
                return;
            }
            after = chunk.getLast().at();
            afterId = chunk.getLast().requestId();
        }
    }

    /** The request {@code requestId} if it was made with a key of the account ({@code organizationId} null: personal). */
    public Optional<Generation> generation(String requestId, long userId, Long organizationId) {
        String scope = organizationId == null ? "r.organization_id IS NULL AND r.user_id = :u"
                : "r.organization_id = :org";
        return jdbi.withHandle(h -> h.createQuery("SELECT r.*, u.cost_micros FROM request_logs r "
                        + "LEFT JOIN usage_events u ON u.request_id = r.request_id "
                        + "WHERE r.request_id = :id AND " + scope)
                .bind("id", requestId).bind("u", userId).bind("org", organizationId)
                .map((rs, ctx) -> new Generation(rs.getString("request_id"), rs.getTimestamp("accepted_at").toInstant(),
                        rs.getString("route"), rs.getString("model_alias"), rs.getBoolean("stream"),
                        rs.getString("status"), rs.getInt("http_status"), rs.getString("error_code"),
                        rs.getString("finish_reason"), integer(rs, "ttft_ms"), rs.getInt("latency_ms"),
                        integer(rs, "prompt_tokens"), integer(rs, "completion_tokens"),
                        integer(rs, "reasoning_tokens"), rs.getBoolean("tokens_estimated"), longOrNull(rs)))
                .findOne());
    }

    /** The first day of the UTC calendar month holding {@code now}. */
    public static LocalDate monthStart(Instant now) {
        return LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1);
    }

    /** The daily rows of the account (and key and model) of {@code s}: a range of the table's primary key. */
    private static String daily(UsageReports.Scope s) {
        return "account = :account" + (s.keyId() != null ? " AND api_key_id = :key" : "")
                + (s.model() != null ? " AND model_alias = :model" : "");
    }

    private static Query bindDaily(Query q, UsageReports.Scope s) {
        q.bind("account", s.organizationId() == null ? "u" + s.userId() : "o" + s.organizationId());
        if (s.keyId() != null) {
            q.bind("key", s.keyId());
        }
        if (s.model() != null) {
            q.bind("model", s.model());
        }
        return q;
    }

    /**
     * The account (and optional key and model) as plain equalities, so the planner always walks the account's own
     * index (V11), whatever plan it caches.
     */
    private static String where(UsageReports.Scope s) {
        return where(s, "");
    }

    /** The same with the columns of table alias {@code t} ({@code "u."}). */
    private static String where(UsageReports.Scope s, String t) {
        List<String> parts = new ArrayList<>(4);
        parts.add(s.organizationId() == null ? t + "organization_id IS NULL AND " + t + "user_id = :u"
                : t + "organization_id = :org");
        if (s.keyId() != null) {
            parts.add(t + "api_key_id = :key");
        }
        if (s.model() != null) {
            parts.add(t + "model_alias = :model");
        }
        return String.join(" AND ", parts);
    }

    private static Query bind(Query q, UsageReports.Scope s) {
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
        return q;
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Long longOrNull(ResultSet rs) throws SQLException {
        long v = rs.getLong("cost_micros");
        return rs.wasNull() ? null : v;
    }
}
