package ai.cortensor.portal.notifications;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for {@code notifications} (the outbox) and {@code notification_cursors}, and the reads notifications are made
 * from: operators' changes in {@code audit_events}, accounts with recent requests in {@code request_logs}, and who
 * gets an account's mail. Writes only its own two tables.
 */
final class NotificationStore {
    private final Jdbi jdbi;

    NotificationStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** An audited change that may concern a customer. {@code targetId}: a key id, or an account (u12, o3). */
    record AuditEvent(long id, Instant at, String action, String actorRole, String targetId) {}

    /** A notification to write: one row per recipient, unless (account, kind, period, recipient) exists. */
    record Draft(String account, String kind, String period, String subject, String body, List<Recipient> to) {}

    record Recipient(long userId, String email) {}

    record Key(long id, String name, String prefix, long userId, Long organizationId) {
        String account() {
            return organizationId == null ? "u" + userId : "o" + organizationId;
        }
    }

    /** A claimed row to send now. */
    record Due(long id, String email, String subject, String body, int attempts) {}


    /**
     * Reads the audit log past the cursor, in order, and writes what {@code plan} makes of each event, in one
     * transaction. Only one replica at a time does this (the cursor row is locked; the others skip). The cursor moves
     * past events older than {@code settledBefore} only: a transaction that took an id earlier may still commit, so
     * younger events are read again next time (their rows exist by then, so nothing is written twice).
     */
    int planFromAudit(List<String> actions, Instant settledBefore, int limit, Function<AuditEvent, Optional<Draft>> plan) {
        return jdbi.inTransaction(h -> {
            Optional<Long> cursor = h.createQuery("SELECT position FROM notification_cursors WHERE name = 'audit' "
                    + "FOR UPDATE SKIP LOCKED").mapTo(Long.class).findOne();
            if (cursor.isEmpty()) {
                return 0;
            }
            List<AuditEvent> events = h.createQuery("""
                    SELECT id, occurred_at, action, actor_role, target_id FROM audit_events
                    WHERE id > :cursor AND action IN (<actions>) ORDER BY id LIMIT :limit""")
                    .bind("cursor", cursor.get()).bindList("actions", actions).bind("limit", limit)
                    .map((rs, ctx) -> new AuditEvent(rs.getLong("id"), rs.getTimestamp("occurred_at").toInstant(),
                            rs.getString("action"), rs.getString("actor_role"), rs.getString("target_id"))).list();
            int written = 0;
            long settled = cursor.get();
            boolean contiguous = true;
            for (AuditEvent e : events) {
                Optional<Draft> draft = plan.apply(e);
                if (draft.isPresent()) {
                    written += insert(h, draft.get(), "pending");
                }
                contiguous = contiguous && e.at().isBefore(settledBefore);
                if (contiguous) {
                    settled = e.id();
                }
            }
            if (settled > cursor.get()) {
                h.createUpdate("UPDATE notification_cursors SET position = :p WHERE name = 'audit'")
                        .bind("p", settled).execute();
            }
            return written;
        });
    }

    /**
     * Writes {@code draft} unless the account got a notification of its kind within {@code quiet} (an allowance
     * crossed again within its rolling week). Two replicas deciding at once are serialised by an advisory lock on
     * (account, kind). {@code state} {@code skipped} records one that is not to be sent (an 80 % notice when the
     * 100 % one goes out), so it is not sent later either.
     */
    int planOnce(Draft draft, Duration quiet, Instant now, String state) {
        return jdbi.inTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(hashtext(?))", "notify:" + draft.account() + ":" + draft.kind());
            boolean recent = h.createQuery("SELECT EXISTS (SELECT 1 FROM notifications WHERE account = :a "
                            + "AND kind = :k AND created_at > :since)")
                    .bind("a", draft.account()).bind("k", draft.kind()).bind("since", now.minus(quiet))
                    .mapTo(Boolean.class).one();
            return recent ? 0 : insert(h, draft, state);
        });
    }

    static int insert(Handle h, Draft d, String state) {
        int n = 0;
        for (Recipient r : d.to()) {
            n += h.createUpdate("""
                    INSERT INTO notifications (account, kind, period, user_id, email, subject, body, state)
                    VALUES (:a, :k, :p, :u, :e, :s, :b, :st) ON CONFLICT (account, kind, period, user_id) DO NOTHING""")
                    .bind("a", d.account()).bind("k", d.kind()).bind("p", d.period()).bind("u", r.userId())
                    .bind("e", r.email()).bind("s", d.subject()).bind("b", d.body()).bind("st", state).execute();
        }
        return n;
    }

    /**
     * Claims up to {@code limit} due notifications for this replica: each is leased until {@code now + lease} (another
     * replica takes it after that, e.g. if this one died mid-send) and its attempt is counted.
     */
    List<Due> claim(Instant now, Duration lease, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                UPDATE notifications SET next_attempt_at = :until, attempts = attempts + 1
                WHERE id IN (SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= :now
                             ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)
                RETURNING id, email, subject, body, attempts""")
                .bind("now", now).bind("until", now.plus(lease)).bind("limit", limit)
                .map((rs, ctx) -> new Due(rs.getLong("id"), rs.getString("email"), rs.getString("subject"),
                        rs.getString("body"), rs.getInt("attempts"))).list());
    }

    void sent(long id, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE notifications SET state = 'sent', sent_at = :t, last_error = NULL "
                + "WHERE id = :id").bind("t", at).bind("id", id).execute());
    }

    /** A failed attempt: tried again at {@code retryAt}, or given up ({@code retryAt} null). */
    void failed(long id, String error, Instant retryAt) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE notifications SET last_error = :e, "
                        + (retryAt == null ? "state = 'failed'" : "next_attempt_at = :r") + " WHERE id = :id")
                .bind("e", error.length() > 500 ? error.substring(0, 500) : error).bind("r", retryAt)
                .bind("id", id).execute());
    }

    List<Notifications.Sent> sentTo(long userId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT created_at, sent_at, state, subject, body FROM notifications
                WHERE user_id = :u AND state <> 'skipped' ORDER BY created_at DESC, id DESC LIMIT :n""")
                .bind("u", userId).bind("n", limit)
                .map((rs, ctx) -> new Notifications.Sent(rs.getTimestamp("created_at").toInstant(), instant(rs, "sent_at"),
                        rs.getString("state"), rs.getString("subject"), rs.getString("body"))).list());
    }

    // ---- reads the notifications are made from ----

    Optional<Key> key(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, public_id, user_id, organization_id FROM api_keys "
                        + "WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new Key(rs.getLong("id"), rs.getString("name"), "ctsr_" + rs.getString("public_id"),
                        rs.getLong("user_id"), (Long) rs.getObject("organization_id"))).findOne());
    }

    /** Who gets an account's mail: the user of a personal account, the owners of an organization. */
    List<Recipient> recipients(String account) {
        long id = Long.parseLong(account.substring(1));
        String sql = account.startsWith("o")
                ? "SELECT u.id, u.email FROM organization_members m JOIN users u ON u.id = m.user_id "
                        + "WHERE m.organization_id = :id AND m.role = 'owner' ORDER BY u.id"
                : "SELECT id, email FROM users WHERE id = :id";
        return jdbi.withHandle(h -> h.createQuery(sql).bind("id", id)
                .map((rs, ctx) -> new Recipient(rs.getLong(1), rs.getString(2))).list());
    }

    Optional<Recipient> user(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, email FROM users WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new Recipient(rs.getLong(1), rs.getString(2))).findOne());
    }

    /** "Acme Labs" for an organization, the user's email for a personal account; empty when it does not exist. */
    Optional<String> accountName(String account) {
        long id = Long.parseLong(account.substring(1));
        String sql = account.startsWith("o") ? "SELECT name FROM organizations WHERE id = :id"
                : "SELECT email FROM users WHERE id = :id";
        return jdbi.withHandle(h -> h.createQuery(sql).bind("id", id).mapTo(String.class).findOne());
    }

    /** Accounts (user id, organization id or null) with requests accepted since {@code since}, at most {@code limit}. */
    List<long[]> activeSince(Instant since, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT DISTINCT user_id, organization_id FROM request_logs
                WHERE accepted_at > :since AND status <> 'blocked' AND user_id IS NOT NULL LIMIT :n""")
                .bind("since", since).bind("n", limit)
                .map((rs, ctx) -> {
                    Long org = (Long) rs.getObject("organization_id");
                    return new long[] {rs.getLong("user_id"), org == null ? -1 : org};
                }).list());
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    static List<Recipient> union(List<Recipient> a, List<Recipient> b) {
        List<Recipient> out = new ArrayList<>(a);
        for (Recipient r : b) {
            if (out.stream().noneMatch(x -> x.userId() == r.userId())) {
                out.add(r);
            }
        }
        return out;
    }
}
