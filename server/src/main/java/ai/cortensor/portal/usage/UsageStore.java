package ai.cortensor.portal.usage;

import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * SQL for {@code request_logs}, {@code usage_events} and {@code usage_daily} (and the keys' {@code last_used_at}); in the same
 * transaction, billing settles the batch's money ({@link Billing#settle}). Every write is idempotent on request id.
 *
 * <p>A batch is one statement in one transaction: every column travels as one array parameter, the arrays are
 * unnested once, and the rows feed the request-log insert, the usage-event insert (served requests only), the daily
 * spend per account, model and key ({@code usage_daily}, from the events actually inserted, in key order so that
 * concurrent writers lock its rows in one order) and the key touch. PostgreSQL parses and plans it once per connection whatever the batch size, and it is one round trip;
 * row-by-row JDBC batches (even rewritten into multi-row {@code VALUES}) cost the writer about 4× and PostgreSQL about
 * 20 % more CPU per record ({@code docs/benchmarks.md}, usage ledger).
 * Arrays are bound with {@code Connection.createArrayOf}, so the driver does the encoding (no hand-written
 * escaping); instants travel as microseconds since the epoch. A usage event's {@code recorded_at} is the database's
 * clock when the row is written (its column default), so a request's lifecycle shows when its usage really landed.
 */
public final class UsageStore {
    private static final ObjectWriter ATTEMPTS = Json.MAPPER.writerFor(new TypeReference<List<RequestRecord.Attempt>>() {});

    private static final String WRITE = """
            WITH batch AS (
                SELECT * FROM unnest(?::text[], ?::int8[], ?::text[], ?::bool[], ?::text[], ?::int8[], ?::int8[],
                        ?::int8[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int8[],
                        ?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::bool[], ?::bool[], ?::text[], ?::int8[],
                        ?::int8[], ?::int8[], ?::text[], ?::int4[])
                    AS b (request_id, accepted_us, route, stream, model_alias, api_key_id, user_id, organization_id,
                        status, http_status, error_code, block_reason, pool, target, forwarded_us, ttft_ms,
                        latency_ms, prompt_tokens, completion_tokens, tokens_estimated, served, attempts, cost_micros,
                        prompt_price, completion_price, finish_reason, reasoning_tokens)
            ), logs AS (
                INSERT INTO request_logs (request_id, accepted_at, route, stream, model_alias, api_key_id, user_id,
                    organization_id, status, http_status, error_code, block_reason, pool, target, forwarded_at,
                    ttft_ms, latency_ms, prompt_tokens, completion_tokens, tokens_estimated, usage_recorded, attempts,
                    finish_reason, reasoning_tokens)
                SELECT request_id, timestamptz 'epoch' + accepted_us * interval '1 microsecond', route, stream,
                    model_alias, api_key_id, user_id, organization_id, status, http_status, error_code, block_reason,
                    pool, target, timestamptz 'epoch' + forwarded_us * interval '1 microsecond', ttft_ms, latency_ms,
                    prompt_tokens, completion_tokens, tokens_estimated, served, attempts::jsonb, finish_reason,
                    reasoning_tokens
                FROM batch
                ON CONFLICT (request_id) DO NOTHING
            ), usage AS (
                INSERT INTO usage_events (request_id, occurred_at, api_key_id, user_id, organization_id, model_alias,
                    pool, target, status, prompt_tokens, completion_tokens, total_tokens, tokens_estimated, ttft_ms,
                    latency_ms, cost_micros, prompt_price, completion_price)
                SELECT request_id, timestamptz 'epoch' + accepted_us * interval '1 microsecond', api_key_id, user_id,
                    organization_id, model_alias, pool, target, status, coalesce(prompt_tokens, 0), completion_tokens,
                    coalesce(prompt_tokens, 0) + completion_tokens, tokens_estimated, ttft_ms, latency_ms, cost_micros,
                    prompt_price, completion_price
                FROM batch WHERE served
                ON CONFLICT (request_id) DO NOTHING
                RETURNING occurred_at, api_key_id, user_id, organization_id, model_alias, prompt_tokens,
                    completion_tokens, cost_micros
            ), daily AS (
                INSERT INTO usage_daily AS d (account, day, model_alias, api_key_id, requests, prompt_tokens,
                    completion_tokens, cost_micros)
                SELECT CASE WHEN organization_id IS NULL THEN 'u' || user_id ELSE 'o' || organization_id END,
                    (occurred_at AT TIME ZONE 'UTC')::date, model_alias, api_key_id, count(*), sum(prompt_tokens),
                    sum(completion_tokens), sum(cost_micros)
                FROM usage GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
                ON CONFLICT (account, day, model_alias, api_key_id) DO UPDATE
                SET requests = d.requests + excluded.requests, prompt_tokens = d.prompt_tokens + excluded.prompt_tokens,
                    completion_tokens = d.completion_tokens + excluded.completion_tokens,
                    cost_micros = d.cost_micros + excluded.cost_micros
            )
            UPDATE api_keys k SET last_used_at = t.last_used
            FROM (SELECT api_key_id, timestamptz 'epoch' + max(accepted_us) * interval '1 microsecond' AS last_used
                  FROM batch WHERE api_key_id IS NOT NULL GROUP BY api_key_id) t
            WHERE k.id = t.api_key_id AND (k.last_used_at IS NULL OR k.last_used_at < t.last_used)
            """;

    private final Jdbi jdbi;

    public UsageStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Writes a batch in one transaction; rows already present (a replay) are skipped, never doubled, and a key's
     * {@code last_used_at} only moves forward.
     */
    public void write(List<RequestRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        jdbi.useTransaction(h -> {
            try {
                write(h, batch);
            } catch (SQLException e) {
                throw new UnableToExecuteStatementException("usage batch of " + batch.size() + " records", e, null);
            }
        });
    }

    private static void write(Handle h, List<RequestRecord> batch) throws SQLException {
        Connection c = h.getConnection();
        int n = batch.size();
        String[] id = new String[n];
        Long[] at = new Long[n];
        String[] route = new String[n];
        Boolean[] stream = new Boolean[n];
        String[] model = new String[n];
        Long[] key = new Long[n];
        Long[] user = new Long[n];
        Long[] org = new Long[n];
        String[] status = new String[n];
        Integer[] http = new Integer[n];
        String[] error = new String[n];
        String[] block = new String[n];
        String[] pool = new String[n];
        String[] target = new String[n];
        Long[] forwarded = new Long[n];
        Integer[] ttft = new Integer[n];
        Integer[] latency = new Integer[n];
        Integer[] prompt = new Integer[n];
        Integer[] completion = new Integer[n];
        Boolean[] estimated = new Boolean[n];
        Boolean[] served = new Boolean[n];
        String[] attempts = new String[n];
        Long[] cost = new Long[n];
        Long[] promptPrice = new Long[n];
        Long[] completionPrice = new Long[n];
        String[] finish = new String[n];
        Integer[] reasoning = new Integer[n];
        List<String> money = new java.util.ArrayList<>();
        List<String> accounts = new java.util.ArrayList<>();
        List<Long> charges = new java.util.ArrayList<>();
        List<Boolean> charged = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            RequestRecord r = batch.get(i);
            id[i] = r.requestId();
            at[i] = micros(r.acceptedAt());
            route[i] = r.route();
            stream[i] = r.stream();
            model[i] = r.model();
            key[i] = r.apiKeyId();
            user[i] = r.userId();
            org[i] = r.organizationId();
            status[i] = r.status();
            http[i] = r.httpStatus();
            error[i] = r.errorCode();
            block[i] = r.blockReason();
            pool[i] = r.pool();
            target[i] = r.target();
            forwarded[i] = micros(r.forwardedAt());
            ttft[i] = r.ttftMs();
            latency[i] = r.latencyMs();
            prompt[i] = r.promptTokens();
            completion[i] = r.completionTokens();
            estimated[i] = r.tokensEstimated();
            served[i] = r.served();
            attempts[i] = attempts(r);
            cost[i] = r.money().costMicros();
            promptPrice[i] = r.money().promptPrice();
            completionPrice[i] = r.money().completionPrice();
            // the column allows only these words; any other (never written by this gateway) is stored as unknown
            // rather than refusing the whole batch
            finish[i] = r.finishReason() != null && RequestRecord.FINISH_REASONS.contains(r.finishReason())
                    ? r.finishReason() : null;
            reasoning[i] = r.reasoningTokens();
            if (r.served() || r.money().held()) {
                money.add(r.requestId());
                accounts.add(r.account());
                charges.add(r.served() ? r.money().costMicros() : 0L);
                charged.add(r.served());
            }
        }
        try (PreparedStatement ps = c.prepareStatement(WRITE)) {
            Object[][] columns = {id, at, route, stream, model, key, user, org, status, http, error, block, pool,
                    target, forwarded, ttft, latency, prompt, completion, estimated, served, attempts, cost, promptPrice,
                    completionPrice, finish, reasoning};
            String[] types = {"text", "int8", "text", "bool", "text", "int8", "int8", "int8", "text", "int4", "text",
                    "text", "text", "text", "int8", "int4", "int4", "int4", "int4", "bool", "bool", "text", "int8",
                    "int8", "int8", "text", "int4"};
            for (int i = 0; i < columns.length; i++) {
                ps.setArray(i + 1, c.createArrayOf(types[i], columns[i]));
            }
            ps.execute();
        }
        // in the same transaction: holds released, served requests charged (billing's SQL, idempotent on request id)
        Billing.settle(h, money, accounts, charges, charged);
    }

    /** Microseconds since the epoch (PostgreSQL's resolution; finer digits are dropped), or null. */
    static Long micros(Instant i) {
        return i == null ? null : Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000);
    }

    private static String attempts(RequestRecord r) {
        if (r.attempts().isEmpty()) {
            return "[]";
        }
        try {
            return ATTEMPTS.writeValueAsString(r.attempts());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("attempts are plain records", e);
        }
    }
}
