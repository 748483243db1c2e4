package ai.cortensor.portal.portal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code user_sessions}. Tokens arrive hashed; the raw token only ever lives in the cookie. */
final class SessionStore {
    private final Jdbi jdbi;

    SessionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    record Row(long id, long userId, Long organizationId, Instant createdAt, Instant lastSeenAt, Instant expiresAt,
               String userAgent, String clientAddr) {}

    long insert(byte[] tokenHash, long userId, Instant expiresAt, String userAgent, String clientAddr) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO user_sessions (token_hash, user_id, expires_at, "
                        + "user_agent, client_addr) VALUES (:t, :u, :x, :ua, :ip) RETURNING id")
                .bind("t", tokenHash).bind("u", userId).bind("x", expiresAt).bind("ua", userAgent)
                .bind("ip", clientAddr).mapTo(Long.class).one());
    }

    Optional<Row> findLive(byte[] tokenHash, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM user_sessions WHERE token_hash = :t "
                        + "AND revoked_at IS NULL AND expires_at > :now")
                .bind("t", tokenHash).bind("now", now).map((rs, ctx) -> row(rs)).findOne());
    }

    List<Row> liveForUser(long userId, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM user_sessions WHERE user_id = :u "
                        + "AND revoked_at IS NULL AND expires_at > :now ORDER BY last_seen_at DESC")
                .bind("u", userId).bind("now", now).map((rs, ctx) -> row(rs)).list());
    }

    void touch(long id, Instant now, Instant expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE user_sessions SET last_seen_at = :now, expires_at = :x WHERE id = :id")
                .bind("id", id).bind("now", now).bind("x", expiresAt).execute());
    }

    void setAccount(long id, Long organizationId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE user_sessions SET organization_id = :o WHERE id = :id")
                .bind("id", id).bind("o", organizationId).execute());
    }

    void revoke(long id, long userId, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE user_sessions SET revoked_at = :now WHERE id = :id AND user_id = :u")
                .bind("id", id).bind("u", userId).bind("now", now).execute());
    }

    void revokeAllBut(long userId, long keepId, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE user_sessions SET revoked_at = :now WHERE user_id = :u "
                        + "AND id <> :keep AND revoked_at IS NULL")
                .bind("u", userId).bind("keep", keepId).bind("now", now).execute());
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        long org = rs.getLong("organization_id");
        return new Row(rs.getLong("id"), rs.getLong("user_id"), rs.wasNull() ? null : org,
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("last_seen_at").toInstant(),
                rs.getTimestamp("expires_at").toInstant(), rs.getString("user_agent"), rs.getString("client_addr"));
    }
}
