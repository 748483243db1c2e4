package ai.cortensor.portal.admin;

import static ai.cortensor.portal.admin.DirectoryStore.instant;

import com.fasterxml.jackson.databind.JsonNode;
import ai.cortensor.portal.json.Json;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for reading the request log and the audit log. Lists are keyset-paginated (never OFFSET): requests on
 * (accepted_at, request_id) descending, audit events on id descending; every filter has an index in that order (V8).
 */
public final class InspectionStore {
    private final Jdbi jdbi;

    public InspectionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Filters of the request list; null fields do not filter. {@code account} is a personal or organization account. */
    public record RequestFilter(AccountId account, Long userId, Long keyId, String model, String pool, String status,
                                Instant from, Instant to) {}

    /** Where a page ends: the last row's time and request id. */
    public record RequestCursor(Instant acceptedAt, String requestId) {}

    public record RequestRow(String requestId, Instant acceptedAt, String route, boolean stream, String model,
                             Long apiKeyId, String account, String status, int httpStatus, String errorCode,
                             String blockReason, String pool, String target, Instant forwardedAt, Integer ttftMs,
                             int latencyMs, Integer promptTokens, Integer completionTokens, boolean tokensEstimated,
                             JsonNode attempts, boolean usageRecorded) {}

    /**
     * A request's usage event: {@code occurredAt} is when the request was accepted (what the weekly windows count
     * by), {@code recordedAt} when the row was written (null for rows written before V15); {@code costMicros} what
     * it cost at the prices in force when it was admitted ({@code promptPrice}, {@code completionPrice}: micro-USD
     * per million tokens).
     */
    public record UsageEvent(long id, Instant occurredAt, Instant recordedAt, int promptTokens, int completionTokens,
                             int totalTokens, boolean tokensEstimated, long costMicros, long promptPrice,
                             long completionPrice) {}

    public List<RequestRow> requests(RequestFilter f, RequestCursor after, int limit) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        if (f.account() != null) {
            where.add(f.account().organization() ? "organization_id = :acct"
                    : "user_id = :acct AND organization_id IS NULL");
            binds.put("acct", f.account().id());
        }
        add(where, binds, "user_id = :user", "user", f.userId());
        add(where, binds, "api_key_id = :key", "key", f.keyId());
        add(where, binds, "model_alias = :model", "model", f.model());
        add(where, binds, "pool = :pool", "pool", f.pool());
        add(where, binds, "status = :status", "status", f.status());
        add(where, binds, "accepted_at >= :from", "from", ts(f.from()));
        add(where, binds, "accepted_at < :to", "to", ts(f.to()));
        if (after != null) {
            where.add("(accepted_at, request_id) < (:at, :rid)");
            binds.put("at", ts(after.acceptedAt()));
            binds.put("rid", after.requestId());
        }
        String sql = "SELECT * FROM request_logs" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY accepted_at DESC, request_id DESC LIMIT :n";
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql).bind("n", limit);
            binds.forEach(q::bind);
            return q.map((rs, ctx) -> request(rs)).list();
        });
    }

    public Optional<RequestRow> request(String requestId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM request_logs WHERE request_id = :id")
                .bind("id", requestId).map((rs, ctx) -> request(rs)).findOne());
    }

    public Optional<UsageEvent> usageEvent(String requestId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM usage_events WHERE request_id = :id")
                .bind("id", requestId).map((rs, ctx) -> new UsageEvent(rs.getLong("id"), instant(rs, "occurred_at"),
                        instant(rs, "recorded_at"), rs.getInt("prompt_tokens"), rs.getInt("completion_tokens"), rs.getInt("total_tokens"),
                        rs.getBoolean("tokens_estimated"), rs.getLong("cost_micros"), rs.getLong("prompt_price"),
                        rs.getLong("completion_price"))).findOne());
    }

    public record AuditFilter(String actor, String action, String targetType, String targetId, Instant from,
                              Instant to) {}

    public record AuditEntry(long id, Instant occurredAt, String actor, String actorRole, String action,
                             String targetType, String targetId, JsonNode before, JsonNode after, String reason,
                             String requestId, String clientAddr) {}

    /** Audit events newest first, after the event {@code beforeId} (null for the first page). */
    public List<AuditEntry> audit(AuditFilter f, Long beforeId, int limit) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        add(where, binds, "actor = :actor", "actor", f.actor());
        add(where, binds, "action = :action", "action", f.action());
        add(where, binds, "target_type = :tt", "tt", f.targetType());
        add(where, binds, "target_id = :tid", "tid", f.targetId());
        add(where, binds, "occurred_at >= :from", "from", ts(f.from()));
        add(where, binds, "occurred_at < :to", "to", ts(f.to()));
        add(where, binds, "id < :before", "before", beforeId);
        String sql = "SELECT * FROM audit_events" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY id DESC LIMIT :n";
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql).bind("n", limit);
            binds.forEach(q::bind);
            return q.map((rs, ctx) -> new AuditEntry(rs.getLong("id"), instant(rs, "occurred_at"),
                    rs.getString("actor"), rs.getString("actor_role"), rs.getString("action"),
                    rs.getString("target_type"), rs.getString("target_id"), json(rs.getString("before_state")),
                    json(rs.getString("after_state")), rs.getString("reason"), rs.getString("request_id"),
                    rs.getString("client_addr"))).list();
        });
    }

    /**
     * A catalog model as operators see it, disabled ones included, with the pools serving it in priority order and
     * its prices (micro-USD per million tokens; {@code reasoningPrice} null: reasoning at the output price).
     */
    public record ModelState(String alias, String displayName, String state, String family, List<String> pools,
                             long inputPrice, long outputPrice, Long reasoningPrice) {}

    public List<ModelState> models() {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT m.alias, m.display_name, m.state, m.chat_template, m.prompt_price, m.completion_price,
                       m.reasoning_price,
                       coalesce(array_agg(p.name ORDER BY rpm.priority) FILTER (WHERE p.name IS NOT NULL), '{}') AS pools
                FROM models m LEFT JOIN router_pool_models rpm ON rpm.model_alias = m.alias
                LEFT JOIN router_pools p ON p.id = rpm.pool_id GROUP BY m.alias ORDER BY m.alias""")
                .map((rs, ctx) -> new ModelState(rs.getString("alias"), rs.getString("display_name"),
                        rs.getString("state"), rs.getString("chat_template"),
                        List.of((String[]) rs.getArray("pools").getArray()), rs.getLong("prompt_price"),
                        rs.getLong("completion_price"), rs.getObject("reasoning_price", Long.class))).list());
    }

    private static void add(List<String> where, Map<String, Object> binds, String condition, String name, Object v) {
        if (v != null) {
            where.add(condition);
            binds.put(name, v);
        }
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static RequestRow request(ResultSet rs) throws SQLException {
        long org = rs.getLong("organization_id");
        boolean noOrg = rs.wasNull();
        long user = rs.getLong("user_id");
        boolean noUser = rs.wasNull();
        String account = !noOrg ? "o" + org : noUser ? null : "u" + user;
        return new RequestRow(rs.getString("request_id"), instant(rs, "accepted_at"), rs.getString("route"),
                rs.getBoolean("stream"), rs.getString("model_alias"), (Long) rs.getObject("api_key_id"), account,
                rs.getString("status"), rs.getInt("http_status"), rs.getString("error_code"),
                rs.getString("block_reason"), rs.getString("pool"), rs.getString("target"),
                instant(rs, "forwarded_at"), (Integer) rs.getObject("ttft_ms"), rs.getInt("latency_ms"),
                (Integer) rs.getObject("prompt_tokens"), (Integer) rs.getObject("completion_tokens"),
                rs.getBoolean("tokens_estimated"), json(rs.getString("attempts")), rs.getBoolean("usage_recorded"));
    }

    private static JsonNode json(String s) throws SQLException {
        if (s == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new SQLException("stored JSON is unreadable", e);
        }
    }
}
