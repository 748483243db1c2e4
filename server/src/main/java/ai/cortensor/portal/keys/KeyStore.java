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

    private static ApiKey map(ResultSet rs, StatementContext ctx) throws SQLException {
        long org = rs.getLong("organization_id");
        Long orgId = rs.wasNull() ? null : org;
        var expires = rs.getTimestamp("expires_at");
        return new ApiKey(rs.getLong("id"), rs.getString("public_id"), rs.getBytes("secret_hash"),
                rs.getString("name"), rs.getLong("user_id"), orgId, rs.getString("state"),
                expires == null ? null : expires.toInstant(), rs.getTimestamp("created_at").toInstant());
    }
}
