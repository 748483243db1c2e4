package ai.cortensor.portal.sessions;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code browser_sessions}, one audience at a time. Tokens arrive hashed; the raw token lives in the cookie. */
final class SessionStore {
    private final Jdbi jdbi;
    private final Audience audience;

    SessionStore(Jdbi jdbi, Audience audience) {
        this.jdbi = jdbi;
        this.audience = audience;
    }

    void insert(byte[] tokenHash, long principalId, Long credentialId, Instant expiresAt, String userAgent,
                String clientAddr) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO browser_sessions (audience, token_hash, " + audience.column
                        + ", credential_id, expires_at, user_agent, client_addr) VALUES (:a, :t, :p, :c, :x, :ua, :ip)")
                .bind("a", audience.name().toLowerCase()).bind("t", tokenHash).bind("p", principalId)
                .bind("c", credentialId).bind("x", expiresAt).bind("ua", userAgent).bind("ip", clientAddr).execute());
    }

    Optional<SessionRow> findLive(byte[] tokenHash, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM browser_sessions WHERE token_hash = :t "
                        + "AND audience = :a AND revoked_at IS NULL AND expires_at > :now")
                .bind("t", tokenHash).bind("a", audience.name().toLowerCase()).bind("now", now)
                .map((rs, ctx) -> row(rs)).findOne());
    }

    List<SessionRow> liveFor(long principalId, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM browser_sessions WHERE " + audience.column
                        + " = :p AND revoked_at IS NULL AND expires_at > :now ORDER BY last_seen_at DESC")
                .bind("p", principalId).bind("now", now).map((rs, ctx) -> row(rs)).list());
    }

    void touch(long id, Instant now, Instant expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE browser_sessions SET last_seen_at = :now, expires_at = :x WHERE id = :id")
                .bind("id", id).bind("now", now).bind("x", expiresAt).execute());
    }

    void setOrganization(long id, Long organizationId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE browser_sessions SET organization_id = :o WHERE id = :id")
                .bind("id", id).bind("o", organizationId).execute());
    }

    /** Revokes the principal's live sessions with {@code id} (all of them when null) except {@code keepId}. */
    int revoke(long principalId, Long id, Long keepId, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE browser_sessions SET revoked_at = :now WHERE "
                        + audience.column + " = :p AND revoked_at IS NULL"
                        + (id == null ? "" : " AND id = :id") + (keepId == null ? "" : " AND id <> :keep"))
                .bind("p", principalId).bind("now", now).bind("id", id).bind("keep", keepId).execute());
    }

    private SessionRow row(ResultSet rs) throws SQLException {
        return new SessionRow(rs.getLong("id"), rs.getLong(audience.column), nullable(rs, "credential_id"),
                nullable(rs, "organization_id"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("last_seen_at").toInstant(), rs.getTimestamp("expires_at").toInstant(),
                rs.getString("user_agent"), rs.getString("client_addr"));
    }

    private static Long nullable(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
