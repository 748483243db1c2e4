package ai.cortensor.bench.scale;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Generates the operator-scale data set with set operations only ({@code INSERT … SELECT generate_series}), on two
 * connections at once (two CPUs). Secondary indexes of the big tables are dropped before the load and rebuilt after
 * it from their own definitions ({@code pg_indexes}), so the schema after generation is exactly what the migrations
 * made. A marker table records the sizes; a run with the same sizes reuses the data.
 *
 * <p>Shape: {@code users} personal accounts, {@code orgs} organizations (owner + one member each), {@code keys} API
 * keys (a quarter of them organization keys, 5% revoked), {@code requests} request-log rows over the last 30 days
 * and one usage event per completed request. Skew: 30% of all requests come from 20 keys of three heavy accounts
 * (o1 with keys 1–10, u2 with 11–15, u3 with 16–20); the rest fall on keys with a quadratic bias towards low ids,
 * so a few thousand keys are busy and most are quiet or unused.
 */
final class ScaleData {
    static final int VERSION = 1;
    static final int HEAVY_KEYS = 20;
    private static final List<String> BIG_TABLES = List.of("request_logs", "usage_events", "api_keys", "audit_events");

    record Sizes(long users, long orgs, long keys, long requests, long audit) {
        static Sizes forRequests(long requests) {
            long keys = Math.max(1_000, requests / 10);
            long users = Math.max(300, Math.min(keys / 5, 200_000));
            long orgs = Math.max(30, users / 10);
            long audit = Math.max(1_000, Math.min(requests / 100, 100_000));
            return new Sizes(users, orgs, keys, requests, audit);
        }
    }

    private final DataSource ds;
    private final Consumer<String> log;
    final Map<String, Double> seconds = new LinkedHashMap<>();

    ScaleData(DataSource ds, Consumer<String> log) {
        this.ds = ds;
        this.log = log;
    }

    /** The sizes recorded by a previous generation, or null. */
    Sizes existing() throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            ResultSet t = s.executeQuery("SELECT to_regclass('bench_operator_scale') IS NOT NULL");
            t.next();
            if (!t.getBoolean(1)) {
                return null;
            }
            ResultSet rs = s.executeQuery("SELECT users, orgs, keys, requests, audit FROM bench_operator_scale "
                    + "WHERE version = " + VERSION);
            return rs.next() ? new Sizes(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)) : null;
        }
    }

    /** Generation seconds recorded by the run that made the data. */
    String recordedTimings() throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT timings::text || ' at ' || generated_at FROM bench_operator_scale");
            return rs.next() ? rs.getString(1) : "";
        }
    }

    /** Drops everything in the current schema; the caller runs the migrations next. */
    void resetSchema() throws SQLException {
        log.accept("resetting the schema (DROP SCHEMA public CASCADE) ...");
        exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    }

    void generate(Sizes z) throws Exception {
        long start = System.nanoTime();
        step("truncate", () -> exec("""
                DROP TABLE IF EXISTS bench_operator_scale;
                TRUNCATE users, organizations, organization_members, api_keys, plan_subscriptions, request_logs,
                         usage_events, billing_ledger, audit_events, user_sessions, user_identities, email_tokens,
                         organization_invites RESTART IDENTITY CASCADE"""));
        List<String> rebuild = dropSecondaryIndexes();
        step("accounts (users, organizations, members, plans)", () -> exec(accountsSql(z)));
        step("api_keys", () -> parallel(chunks(z.keys(), 2), (lo, hi) -> keysSql(z, lo, hi)));
        step("request_logs", () -> parallel(chunks(z.requests(), 20), (lo, hi) -> requestsSql(z, lo, hi)));
        step("usage_events", () -> parallel(List.of(new long[] {0, 1}, new long[] {1, 2}), (lo, hi) -> usageSql(lo)));
        step("audit_events", () -> exec(auditSql(z)));
        step("indexes (" + rebuild.size() + ")", () -> parallelSql(rebuild));
        step("analyze", () -> exec("VACUUM (ANALYZE) users, organizations, organization_members, api_keys, "
                + "plan_subscriptions, request_logs, usage_events, audit_events"));
        seconds.put("total", (System.nanoTime() - start) / 1e9);
        StringBuilder json = new StringBuilder("{");
        seconds.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
                .append(String.format(java.util.Locale.ROOT, "%.1f", v)));
        json.append('}');
        exec("CREATE TABLE bench_operator_scale (version INT, users BIGINT, orgs BIGINT, keys BIGINT, requests BIGINT, "
                + "audit BIGINT, timings JSONB, generated_at TIMESTAMPTZ DEFAULT now());"
                + "INSERT INTO bench_operator_scale VALUES (" + VERSION + ", " + z.users() + ", " + z.orgs() + ", "
                + z.keys() + ", " + z.requests() + ", " + z.audit() + ", '" + json + "')");
    }

    // ---- SQL ----

    private static String accountsSql(Sizes z) {
        return """
                INSERT INTO users (id, email, display_name, email_verified, state, created_at, updated_at, paused_at, paused_by, paused_reason)
                SELECT g, 'user' || g || '@' || (ARRAY['example.com', 'acme.io', 'mail.test', 'corp.example'])[1 + g %% 4],
                       'User ' || g, true, CASE WHEN g %% 500 = 0 THEN 'paused' ELSE 'active' END,
                       now() - interval '400 days' * random(), now(),
                       CASE WHEN g %% 500 = 0 THEN now() - interval '3 days' END,
                       CASE WHEN g %% 500 = 0 THEN 'support@ops.example' END,
                       CASE WHEN g %% 500 = 0 THEN 'abuse report' END
                FROM generate_series(1, %1$d) g;
                SELECT setval('users_id_seq', %1$d);
                INSERT INTO organizations (id, name, state, created_by, created_at, updated_at)
                SELECT g, 'Org ' || g, CASE WHEN g %% 300 = 0 THEN 'paused' ELSE 'active' END, g,
                       now() - interval '300 days' * random(), now()
                FROM generate_series(1, %2$d) g;
                SELECT setval('organizations_id_seq', %2$d);
                INSERT INTO organization_members (organization_id, user_id, role)
                SELECT g, g, 'owner' FROM generate_series(1, %2$d) g
                UNION ALL SELECT g, %2$d + g, 'member' FROM generate_series(1, %2$d) g;
                INSERT INTO plan_subscriptions (plan_id, user_id)
                SELECT (SELECT id FROM plans WHERE code = 'developer'), g FROM generate_series(10, %1$d, 10) g;
                INSERT INTO plan_subscriptions (plan_id, organization_id)
                SELECT (SELECT id FROM plans WHERE code = 'pro'), g FROM generate_series(1, %2$d) g;
                """.formatted(z.users(), z.orgs());
    }

    /** Ownership is a function of the key id (heavy accounts first, then a quarter organization keys). */
    private static String keysSql(Sizes z, long lo, long hi) {
        return """
                INSERT INTO api_keys (id, public_id, secret_hash, name, user_id, organization_id, state, created_at,
                                      last_used_at, revoked_at, revoked_by, revoked_reason)
                SELECT g, translate(substr(encode(sha256(('key' || g)::bytea), 'base64'), 1, 12), '+/', 'Zq'),
                       sha256(('secret' || g)::bytea), 'key ' || g,
                       CASE WHEN g <= 10 THEN 1 WHEN g <= 15 THEN 2 WHEN g <= 20 THEN 3
                            WHEN g %% 4 = 0 THEN 1 + (g * 7919) %% %2$d
                            ELSE 1 + (g * 2654435761) %% %1$d END,
                       CASE WHEN g <= 10 THEN 1 WHEN g <= 20 THEN NULL WHEN g %% 4 = 0 THEN 1 + (g * 7919) %% %2$d END,
                       CASE WHEN g > 20 AND g %% 20 = 7 THEN 'revoked' ELSE 'active' END,
                       now() - interval '200 days' * random(), now() - interval '30 days' * random(),
                       CASE WHEN g > 20 AND g %% 20 = 7 THEN now() - interval '10 days' * random() END,
                       CASE WHEN g > 20 AND g %% 20 = 7 THEN 'customer' END,
                       CASE WHEN g > 20 AND g %% 20 = 7 THEN 'rotated' END
                FROM generate_series(%3$d::bigint, %4$d) g;
                """.formatted(z.users(), z.orgs(), lo + 1, hi);
    }

    private static String requestsSql(Sizes z, long lo, long hi) {
        return """
                INSERT INTO request_logs (request_id, accepted_at, route, stream, model_alias, api_key_id, user_id,
                    organization_id, status, http_status, error_code, block_reason, pool, target, forwarded_at, ttft_ms,
                    latency_ms, prompt_tokens, completion_tokens, tokens_estimated, attempts, usage_recorded)
                SELECT 'req_' || upper(lpad(to_hex((extract(epoch FROM s.at) * 1000)::bigint), 12, '0'))
                              || upper(substr(md5(s.g::text), 1, 14)),
                       s.at, CASE WHEN s.r1 < 0.9 THEN '/v1/chat/completions' ELSE '/v1/completions' END, s.r2 < 0.4,
                       CASE WHEN s.r3 < 0.5 THEN 'oss-20b' WHEN s.r3 < 0.7 THEN 'oss-120b' WHEN s.r3 < 0.9 THEN 'gemma-4'
                            ELSE 'qwen' END,
                       k.id, k.user_id, k.organization_id, s.status,
                       CASE s.status WHEN 'completed' THEN 200 WHEN 'blocked' THEN (CASE WHEN k.id IS NULL THEN 401 ELSE 429 END)
                                     WHEN 'failed' THEN 502 ELSE 499 END,
                       CASE s.status WHEN 'blocked' THEN (CASE WHEN k.id IS NULL THEN 'invalid_api_key' ELSE 'rate_limit_exceeded' END)
                                     WHEN 'failed' THEN 'upstream_error' END,
                       CASE WHEN s.status = 'blocked' AND k.id IS NOT NULL
                            THEN (ARRAY['rpm', 'tpm', 'weekly_tokens', 'max_concurrent'])[1 + s.g %% 4] END,
                       s.pool, CASE WHEN s.pool IS NOT NULL THEN s.pool || '-' || (1 + s.g %% 3) END,
                       CASE WHEN s.pool IS NOT NULL THEN s.at + interval '2 ms' END,
                       CASE WHEN s.status IN ('completed', 'cancelled') THEN 40 + (s.r4 * 400)::int END,
                       CASE WHEN s.status = 'blocked' THEN 1 ELSE 200 + (s.r4 * 4000)::int END,
                       CASE WHEN s.status = 'completed' THEN 20 + (s.r5 * 2000)::int END,
                       CASE WHEN s.status = 'completed' THEN 10 + (s.r4 * 800)::int END,
                       s.r5 < 0.1,
                       CASE WHEN s.pool IS NULL THEN '[]'::jsonb
                            ELSE jsonb_build_array(jsonb_build_object('target', s.pool || '-' || (1 + s.g %% 3),
                                 'outcome', CASE WHEN s.status = 'failed' THEN 'error' ELSE 'ok' END)) END,
                       s.status = 'completed'
                FROM (SELECT g, now() - interval '30 days' * random() AS at, random() AS r1, random() AS r2,
                             random() AS r3, random() AS r4, random() AS r5,
                             CASE WHEN random() < 0.01 THEN NULL
                                  WHEN random() < 0.3 THEN 1 + floor(random() * %2$d)::bigint
                                  ELSE 1 + floor(%1$d * random() ^ 2)::bigint END AS key_id,
                             st.status,
                             CASE WHEN st.status = 'blocked' THEN NULL
                                  ELSE (ARRAY['default', 'default', 'default', 'overflow', 'dedicated-acme'])[1 + g %% 5] END AS pool
                      FROM generate_series(%3$d::bigint, %4$d) g,
                           LATERAL (SELECT CASE WHEN x < 0.85 THEN 'completed' WHEN x < 0.93 THEN 'blocked'
                                                WHEN x < 0.98 THEN 'failed' ELSE 'cancelled' END AS status
                                    FROM (SELECT random() + g * 0 AS x) r) st) s
                LEFT JOIN api_keys k ON k.id = s.key_id;
                """.formatted(z.keys(), HEAVY_KEYS, lo + 1, hi);
    }

    /** One usage event per completed request, split in two halves by a hash of the request id. */
    private static String usageSql(long half) {
        return """
                INSERT INTO usage_events (request_id, occurred_at, api_key_id, user_id, organization_id, model_alias, pool,
                    target, status, prompt_tokens, completion_tokens, total_tokens, tokens_estimated, ttft_ms, latency_ms)
                SELECT request_id, accepted_at + latency_ms * interval '1 ms', api_key_id, user_id, organization_id,
                       model_alias, pool, target, status, prompt_tokens, completion_tokens,
                       prompt_tokens + completion_tokens, tokens_estimated, ttft_ms, latency_ms
                FROM request_logs WHERE status = 'completed' AND api_key_id IS NOT NULL
                  AND abs(hashtext(request_id)) %% 2 = %d;
                """.formatted(half);
    }

    private static String auditSql(Sizes z) {
        return """
                INSERT INTO audit_events (occurred_at, actor, actor_role, action, target_type, target_id, before_state,
                                          after_state, reason, client_addr)
                SELECT now() - interval '90 days' * (%1$d - g) / %1$d,
                       (ARRAY['alice@ops.example', 'bob@ops.example', 'carol@ops.example', 'dan@ops.example',
                              'support@ops.example', 'oncall@ops.example'])[1 + g %% 6],
                       CASE WHEN g %% 6 < 2 THEN 'admin' ELSE 'support' END, a.action, a.target_type,
                       CASE a.target_type WHEN 'api_key' THEN (1 + (g * 7919) %% %2$d)::text
                                          WHEN 'user' THEN 'u' || (1 + (g * 31) %% %3$d)
                                          WHEN 'organization' THEN 'o' || (1 + (g * 17) %% %4$d)
                                          WHEN 'pool' THEN (ARRAY['default', 'overflow', 'dedicated-acme'])[1 + g %% 3]
                                          ELSE (ARRAY['oss-20b', 'oss-120b', 'gemma-4', 'qwen'])[1 + g %% 4] END,
                       '{"state": "active"}'::jsonb, '{"state": "changed"}'::jsonb, 'ticket #' || g, '10.0.0.' || (g %% 250)
                FROM generate_series(1::bigint, %1$d) g,
                     LATERAL (SELECT (ARRAY['api_key.revoke', 'api_key.revoke', 'api_key.revoke', 'account.pause',
                                            'account.unpause', 'account.pause', 'pool.pause', 'pool.resume',
                                            'model.disable', 'model.enable'])[1 + (g * 13 + g / 7) %% 10] AS action) x,
                     LATERAL (SELECT x.action, CASE WHEN x.action LIKE 'api_key.%%' THEN 'api_key'
                                                    WHEN x.action LIKE 'account.%%' THEN (CASE WHEN g %% 3 = 0 THEN 'organization' ELSE 'user' END)
                                                    WHEN x.action LIKE 'pool.%%' THEN 'pool' ELSE 'model' END AS target_type) a;
                """.formatted(z.audit(), z.keys(), z.users(), z.orgs());
    }

    // ---- plumbing ----

    /** Drops the big tables' secondary indexes (and droppable unique constraints); returns the SQL that rebuilds them. */
    private List<String> dropSecondaryIndexes() throws SQLException {
        List<String> rebuild = new ArrayList<>();
        List<String> drop = new ArrayList<>();
        String tables = "'" + String.join("', '", BIG_TABLES) + "'";
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("""
                    SELECT con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid)
                    FROM pg_constraint con WHERE con.contype IN ('p', 'u') AND con.conrelid::regclass::text IN (%s)
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = con.conindid)
                    """.formatted(tables));
            while (rs.next()) {
                drop.add("ALTER TABLE " + rs.getString(1) + " DROP CONSTRAINT " + rs.getString(2));
                rebuild.add("ALTER TABLE " + rs.getString(1) + " ADD CONSTRAINT " + rs.getString(2) + " " + rs.getString(3));
            }
            rs = s.executeQuery("""
                    SELECT i.indexname, i.indexdef FROM pg_indexes i
                    WHERE i.schemaname = current_schema() AND i.tablename IN (%s)
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conname = i.indexname)
                    """.formatted(tables));
            while (rs.next()) {
                drop.add("DROP INDEX " + rs.getString(1));
                rebuild.add(rs.getString(2));
            }
            for (String d : drop) {
                s.execute(d);
            }
        }
        // biggest first, so the two connections finish together
        rebuild.sort((a, b) -> Boolean.compare(!a.contains("request_logs"), !b.contains("request_logs")));
        return rebuild;
    }

    private static List<long[]> chunks(long n, int parts) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            out.add(new long[] {n * i / parts, n * (i + 1) / parts});
        }
        return out;
    }

    interface ChunkSql {
        String sql(long lo, long hi);
    }

    private void parallel(List<long[]> ranges, ChunkSql sql) throws Exception {
        List<String> statements = ranges.stream().map(r -> sql.sql(r[0], r[1])).toList();
        parallelSql(statements);
    }

    /** Runs the statements on two connections (one per CPU), in order of the list. */
    private void parallelSql(List<String> statements) throws Exception {
        var queue = new java.util.concurrent.ConcurrentLinkedQueue<>(statements);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                done.add(pool.submit(() -> {
                    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                        session(s);
                        for (String next; (next = queue.poll()) != null; ) {
                            s.execute(next);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            session(s);
            s.execute(sql);
        }
    }

    private static void session(Statement s) throws SQLException {
        s.execute("SET synchronous_commit = off");
        s.execute("SET maintenance_work_mem = '512MB'");
        s.execute("SET max_parallel_maintenance_workers = 0");
        s.execute("SET statement_timeout = 0");
    }

    interface Step {
        void run() throws Exception;
    }

    private void step(String name, Step step) throws Exception {
        log.accept("generating: " + name + " ...");
        long t = System.nanoTime();
        step.run();
        double s = (System.nanoTime() - t) / 1e9;
        seconds.put(name.replaceAll(" \\(.*", ""), s);
        log.accept(String.format(java.util.Locale.ROOT, "generated: %s in %.1f s", name, s));
    }
}
