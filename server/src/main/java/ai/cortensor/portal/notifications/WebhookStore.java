package ai.cortensor.portal.notifications;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code webhook_endpoints}, {@code webhook_deliveries} and {@code webhook_attempts}. */
final class WebhookStore {
    private final Jdbi jdbi;

    WebhookStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A claimed delivery to attempt now, with where to and the secret to sign with (both as they are now). */
    record Due(long id, String account, String eventId, String eventType, String body, int attempt, String url,
               String secret) {}

    Optional<Webhooks.Endpoint> endpoint(String account) {
        return jdbi.withHandle(h -> h.createQuery("SELECT url, created_at, secret_rotated_at FROM webhook_endpoints "
                        + "WHERE account = :a").bind("a", account)
                .map((rs, ctx) -> new Webhooks.Endpoint(rs.getString("url"), instant(rs, "created_at"),
                        instant(rs, "secret_rotated_at"))).findOne());
    }

    /** Sets the URL; {@code secret} is stored only when the endpoint is new. True when it was created. */
    boolean save(String account, String url, String secret) {
        return jdbi.withHandle(h -> h.createQuery("""
                        INSERT INTO webhook_endpoints (account, url, secret) VALUES (:a, :u, :s)
                        ON CONFLICT (account) DO UPDATE SET url = :u, updated_at = now()
                        RETURNING (xmax = 0) AS created""")
                .bind("a", account).bind("u", url).bind("s", secret).mapTo(Boolean.class).one());
    }

    boolean rotate(String account, String secret) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE webhook_endpoints SET secret = :s, secret_rotated_at = now(), "
                + "updated_at = now() WHERE account = :a").bind("a", account).bind("s", secret).execute()) == 1;
    }

    /** Removes the endpoint; what was still to be delivered is given up (the log keeps what was attempted). */
    boolean remove(String account) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE webhook_deliveries SET state = 'failed' WHERE account = :a AND state = 'pending'")
                    .bind("a", account).execute();
            return h.createUpdate("DELETE FROM webhook_endpoints WHERE account = :a").bind("a", account).execute() == 1;
        });
    }

    /**
     * Queues an event for the account's webhook, inside the caller's transaction; nothing when the account has no
     * webhook, or when the event was queued before (its id is unique). True when queued.
     */
    static boolean enqueue(Handle h, String account, String eventId, String eventType, String summary, String body) {
        return h.createUpdate("""
                        INSERT INTO webhook_deliveries (account, event_id, event_type, summary, body)
                        SELECT :a, :id, :t, :s, :b WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE account = :a)
                        ON CONFLICT (event_id) DO NOTHING""")
                .bind("a", account).bind("id", eventId).bind("t", eventType).bind("s", summary).bind("b", body)
                .execute() == 1;
    }

    boolean enqueue(String account, String eventId, String eventType, String summary, String body) {
        return jdbi.withHandle(h -> enqueue(h, account, eventId, eventType, summary, body));
    }

    /** Whether a test event of the account is still waiting for its first attempt. */
    boolean testQueued(String account) {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE account = :a "
                        + "AND event_type = 'webhook.test' AND state = 'pending' AND attempts = 0)")
                .bind("a", account).mapTo(Boolean.class).one());
    }

    /** How many test events the account asked for since {@code since}. */
    int testsSince(String account, Instant since) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM webhook_deliveries WHERE account = :a "
                        + "AND event_type = 'webhook.test' AND created_at > :s")
                .bind("a", account).bind("s", since).mapTo(Integer.class).one());
    }

    /**
     * Claims up to {@code limit} due deliveries for this replica: each is leased until {@code now + lease} (another
     * replica takes it after that, e.g. when this one died mid-attempt) and its attempt counted.
     */
    List<Due> claim(Instant now, Duration lease, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        WITH due AS (
                            UPDATE webhook_deliveries SET next_attempt_at = :until, attempts = attempts + 1
                            WHERE id IN (SELECT id FROM webhook_deliveries WHERE state = 'pending'
                                         AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit
                                         FOR UPDATE SKIP LOCKED)
                            RETURNING id, account, event_id, event_type, body, attempts)
                        SELECT d.*, e.url, e.secret FROM due d LEFT JOIN webhook_endpoints e ON e.account = d.account
                        ORDER BY d.id""")
                .bind("now", now).bind("until", now.plus(lease)).bind("limit", limit)
                .map((rs, ctx) -> new Due(rs.getLong("id"), rs.getString("account"), rs.getString("event_id"),
                        rs.getString("event_type"), rs.getString("body"), rs.getInt("attempts"), rs.getString("url"),
                        rs.getString("secret"))).list());
    }

    /**
     * Logs an attempt and moves its delivery on: delivered, tried again at {@code retryAt}, or given up
     * ({@code retryAt} null and not delivered).
     */
    void attempted(Due d, Instant at, Integer status, String error, int durationMs, boolean delivered, Instant retryAt) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, error,
                                duration_ms, next_retry_at)
                            VALUES (:d, :n, :at, :s, :e, :ms, :r) ON CONFLICT (delivery_id, attempt) DO NOTHING""")
                    .bind("d", d.id()).bind("n", d.attempt()).bind("at", at).bind("s", status)
                    .bind("e", error == null || error.length() <= 300 ? error : error.substring(0, 300))
                    .bind("ms", durationMs).bind("r", retryAt).execute();
            String set = delivered ? "state = 'delivered', delivered_at = :at"
                    : retryAt == null ? "state = 'failed'" : "next_attempt_at = :r";
            h.createUpdate("UPDATE webhook_deliveries SET " + set + " WHERE id = :d AND state = 'pending'")
                    .bind("d", d.id()).bind("at", at).bind("r", retryAt).execute();
        });
    }

    /** The account's delivery log, newest first: one row per attempt, and a row for each event not yet tried. */
    List<Webhooks.LogEntry> log(String account, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT d.event_id, d.event_type, d.summary, d.state, d.created_at, d.next_attempt_at, a.attempt,
                               a.attempted_at, a.status_code, a.error, a.duration_ms, a.next_retry_at
                        FROM webhook_deliveries d LEFT JOIN webhook_attempts a ON a.delivery_id = d.id
                        WHERE d.account = :a
                        ORDER BY coalesce(a.attempted_at, d.created_at) DESC, d.id DESC, a.attempt DESC
                        LIMIT :n""")
                .bind("a", account).bind("n", limit)
                .map((rs, ctx) -> {
                    Integer attempt = (Integer) rs.getObject("attempt");
                    return new Webhooks.LogEntry(rs.getString("event_id"), rs.getString("event_type"),
                            rs.getString("summary"), attempt == null ? 0 : attempt,
                            attempt == null ? instant(rs, "created_at") : instant(rs, "attempted_at"),
                            (Integer) rs.getObject("status_code"), rs.getString("error"),
                            (Integer) rs.getObject("duration_ms"),
                            attempt == null ? instant(rs, "next_attempt_at") : instant(rs, "next_retry_at"),
                            rs.getString("state"));
                }).list());
    }

    /** Deletes deliveries (and their attempts) created before {@code before} that are finished. */
    int sweep(Instant before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM webhook_deliveries WHERE created_at < :b "
                + "AND state <> 'pending'").bind("b", before).execute());
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
