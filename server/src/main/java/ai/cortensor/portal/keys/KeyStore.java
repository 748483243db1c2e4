package ai.cortensor.portal.keys;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for {@code api_keys}. */
public final class KeyStore {
    private static final String COLUMNS =
            "id, public_id, secret_hash, name, user_id, organization_id, state, expires_at, created_at";
    private final Jdbi jdbi;

    public KeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public ApiKey insert(String publicId, byte[] secretHash, String name, long userId, Long organizationId,
                         Instant expiresAt) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO api_keys (public_id, secret_hash, name, user_id, "
                        + "organization_id, expires_at) VALUES (:p, :h, :n, :u, :o, :e) RETURNING " + COLUMNS)
                .bind("p", publicId).bind("h", secretHash).bind("n", name).bind("u", userId)
                .bind("o", organizationId).bind("e", expiresAt)
                .map(KeyStore::map).one());
    }

    public Optional<ApiKey> findByPublicId(String publicId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE public_id = :p")
                .bind("p", publicId).map(KeyStore::map).findOne());
    }

    public boolean revoke(long id, String by, String reason) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE api_keys SET state = 'revoked', revoked_at = now(), "
                        + "revoked_by = :b, revoked_reason = :r WHERE id = :id AND state = 'active'")
                .bind("id", id).bind("b", by).bind("r", reason).execute() == 1);
    }

    /** A key as its owner sees it in a list: never the secret or its hash. */
    public record Listing(long id, String prefix, String name, String state, Instant createdAt, Instant lastUsedAt,
                          Instant expiresAt, Instant revokedAt) {}

    private static final String ACCOUNT_SCOPE = "(CASE WHEN CAST(:org AS BIGINT) IS NULL "
            + "THEN organization_id IS NULL AND user_id = :u ELSE organization_id = :org END)";

    public java.util.List<Listing> listForAccount(long userId, Long organizationId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM api_keys WHERE " + ACCOUNT_SCOPE
                        + " ORDER BY state, created_at DESC")
                .bind("u", userId).bind("org", organizationId).map((rs, ctx) -> listing(rs)).list());
    }

    public Optional<Listing> findForAccount(long id, long userId, Long organizationId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM api_keys WHERE id = :id AND " + ACCOUNT_SCOPE)
                .bind("id", id).bind("u", userId).bind("org", organizationId).map((rs, ctx) -> listing(rs)).findOne());
    }

    private static Listing listing(ResultSet rs) throws SQLException {
        return new Listing(rs.getLong("id"), KeyFormat.PREFIX + rs.getString("public_id"), rs.getString("name"),
                rs.getString("state"), rs.getTimestamp("created_at").toInstant(), instant(rs, "last_used_at"),
                instant(rs, "expires_at"), instant(rs, "revoked_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static ApiKey map(ResultSet rs, StatementContext ctx) throws SQLException {
        long org = rs.getLong("organization_id");
        Long orgId = rs.wasNull() ? null : org;
        var expires = rs.getTimestamp("expires_at");
        return new ApiKey(rs.getLong("id"), rs.getString("public_id"), rs.getBytes("secret_hash"),
                rs.getString("name"), rs.getLong("user_id"), orgId, rs.getString("state"),
                expires == null ? null : expires.toInstant(), rs.getTimestamp("created_at").toInstant());
    }
}
