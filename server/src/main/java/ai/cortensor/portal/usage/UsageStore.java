package ai.cortensor.portal.usage;

import ai.cortensor.portal.web.Json;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** SQL for {@code request_logs} and {@code usage_events}. Every write is idempotent on request id. */
public final class UsageStore {
    private final Jdbi jdbi;

    public UsageStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Writes a batch in one transaction; rows already present (a replay) are skipped, never doubled. */
    public void write(List<RequestRecord> batch) {
        jdbi.useTransaction(h -> {
            insertLogs(h, batch);
            insertUsage(h, batch);
            touchKeys(h, batch);
        });
    }

    private static void insertLogs(Handle h, List<RequestRecord> batch) {
        PreparedBatch b = h.prepareBatch("""
                INSERT INTO request_logs (request_id, accepted_at, route, stream, model_alias, api_key_id, user_id,
                    organization_id, status, http_status, error_code, block_reason, pool, target, forwarded_at,
                    ttft_ms, latency_ms, prompt_tokens, completion_tokens, tokens_estimated, usage_recorded, attempts)
                VALUES (:id, :at, :route, :stream, :model, :key, :user, :org, :status, :http, :err, :block, :pool,
                    :target, :fwd, :ttft, :lat, :pt, :ct, :est, :served, CAST(:attempts AS jsonb))
                ON CONFLICT (request_id) DO NOTHING""");
        for (RequestRecord r : batch) {
            b.bind("id", r.requestId()).bind("at", ts(r.acceptedAt())).bind("route", r.route())
                    .bind("stream", r.stream()).bind("model", r.model()).bind("key", r.apiKeyId())
                    .bind("user", r.userId()).bind("org", r.organizationId()).bind("status", r.status())
                    .bind("http", r.httpStatus()).bind("err", r.errorCode()).bind("block", r.blockReason())
                    .bind("pool", r.pool()).bind("target", r.target()).bind("fwd", ts(r.forwardedAt()))
                    .bind("ttft", r.ttftMs()).bind("lat", r.latencyMs()).bind("pt", r.promptTokens())
                    .bind("ct", r.completionTokens()).bind("est", r.tokensEstimated()).bind("served", r.served())
                    .bind("attempts", attempts(r)).add();
        }
        b.execute();
    }

    private static void insertUsage(Handle h, List<RequestRecord> batch) {
        PreparedBatch b = h.prepareBatch("""
                INSERT INTO usage_events (request_id, occurred_at, api_key_id, user_id, organization_id, model_alias,
                    pool, target, status, prompt_tokens, completion_tokens, total_tokens, tokens_estimated,
                    ttft_ms, latency_ms)
                VALUES (:id, :at, :key, :user, :org, :model, :pool, :target, :status, :pt, :ct, :tt, :est,
                    :ttft, :lat)
                ON CONFLICT (request_id) DO NOTHING""");
        int n = 0;
        for (RequestRecord r : batch) {
            if (!r.served()) {
                continue;
            }
            int pt = r.promptTokens() == null ? 0 : r.promptTokens();
            int ct = r.completionTokens();
            b.bind("id", r.requestId()).bind("at", ts(r.acceptedAt())).bind("key", r.apiKeyId())
                    .bind("user", r.userId()).bind("org", r.organizationId()).bind("model", r.model())
                    .bind("pool", r.pool()).bind("target", r.target()).bind("status", r.status())
                    .bind("pt", pt).bind("ct", ct).bind("tt", pt + ct).bind("est", r.tokensEstimated())
                    .bind("ttft", r.ttftMs()).bind("lat", r.latencyMs()).add();
            n++;
        }
        if (n > 0) {
            b.execute();
        }
    }

    private static void touchKeys(Handle h, List<RequestRecord> batch) {
        Map<Long, Instant> lastUse = new HashMap<>();
        for (RequestRecord r : batch) {
            if (r.apiKeyId() != null) {
                lastUse.merge(r.apiKeyId(), r.acceptedAt(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        if (lastUse.isEmpty()) {
            return;
        }
        PreparedBatch b = h.prepareBatch("UPDATE api_keys SET last_used_at = :t WHERE id = :id "
                + "AND (last_used_at IS NULL OR last_used_at < :t)");
        lastUse.forEach((id, t) -> b.bind("id", id).bind("t", ts(t)).add());
        b.execute();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static String attempts(RequestRecord r) {
        if (r.attempts().isEmpty()) {
            return "[]";
        }
        try {
            return Json.MAPPER.writeValueAsString(r.attempts());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("attempts are plain records", e);
        }
    }
}
