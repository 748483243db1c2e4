package ai.cortensor.portal.keys;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.changes.ChangeFeed;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for {@code api_keys}. */
public final class KeyStore {
    /** A key with its owning account's state: the organization's for organization keys, else the user's. */
    private static final String WITH_ACCOUNT = "SELECT k.id, k.public_id, k.secret_hash, k.name, k.user_id, "
            + "k.organization_id, k.state, k.expires_at, k.created_at, k.limits, "
            + "COALESCE(o.state, u.state) AS account_state FROM api_keys k JOIN users u ON u.id = k.user_id "
            + "LEFT JOIN organizations o ON o.id = k.organization_id ";
    private final Jdbi jdbi;

    public KeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public ApiKey insert(String publicId, byte[] secretHash, String name, long userId, Long organizationId,
                         Instant expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO api_keys (public_id, secret_hash, name, user_id, "
                        + "organization_id, expires_at) VALUES (:p, :h, :n, :u, :o, :e)")
                .bind("p", publicId).bind("h", secretHash).bind("n", name).bind("u", userId)
                .bind("o", organizationId).bind("e", expiresAt).execute());
        return findByPublicId(publicId).orElseThrow();
    }

    public Optional<ApiKey> findByPublicId(String publicId) {
        return jdbi.withHandle(h -> h.createQuery(WITH_ACCOUNT + "WHERE k.public_id = :p")
                .bind("p", publicId).map(KeyStore::map).findOne());
    }

    /**
     * Revokes an active key; in the same transaction it is audited ({@code api_key.revoke}) and announced to every
     * replica ({@code key:<public id>}). False, with nothing written, when it was not active.
     */
    public boolean revoke(long id, Actor actor, String reason) {
        return jdbi.inTransaction(h -> {
            var publicId = h.createQuery("UPDATE api_keys SET state = 'revoked', revoked_at = now(), "
                            + "revoked_by = :b, revoked_reason = :r WHERE id = :id AND state = 'active' RETURNING public_id")
                    .bind("id", id).bind("b", actor.name()).bind("r", reason).mapTo(String.class).findOne();
            publicId.ifPresent(p -> {
                String prefix = KeyFormat.PREFIX + p;
                AuditLog.append(h, actor, "api_key.revoke", "api_key", Long.toString(id),
                        Map.of("state", "active", "prefix", prefix), Map.of("state", "revoked", "prefix", prefix), reason);
                ChangeFeed.publishOnCommit(h, ChangeFeed.KEY, p);
            });
            return publicId.isPresent();
        });
    }

    /** Revokes every active personal key of a user, each audited and announced; returns their public ids. */
    public java.util.List<String> revokePersonal(long userId, Actor actor, String reason) {
        return jdbi.inTransaction(h -> {
            var revoked = h.createQuery("UPDATE api_keys SET state = 'revoked', revoked_at = now(), revoked_by = :b, "
                            + "revoked_reason = :r WHERE user_id = :u AND organization_id IS NULL AND state = 'active' "
                            + "RETURNING id, public_id")
                    .bind("u", userId).bind("b", actor.name()).bind("r", reason)
                    .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getString("public_id"))).list();
            for (var k : revoked) {
                String prefix = KeyFormat.PREFIX + k.getValue();
                AuditLog.append(h, actor, "api_key.revoke", "api_key", Long.toString(k.getKey()),
                        Map.of("state", "active", "prefix", prefix), Map.of("state", "revoked", "prefix", prefix), reason);
                ChangeFeed.publishOnCommit(h, ChangeFeed.KEY, k.getValue());
            }
            return revoked.stream().map(Map.Entry::getValue).toList();
        });
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

    /** The active keys one member created for an organization (to offer revoking them when the member goes). */
    public java.util.List<Listing> activeCreatedBy(long organizationId, long userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM api_keys WHERE organization_id = :org AND user_id = :u "
                        + "AND state = 'active' ORDER BY created_at DESC")
                .bind("u", userId).bind("org", organizationId).map((rs, ctx) -> listing(rs)).list());
    }

    private static Listing listing(ResultSet rs) throws SQLException {
        return new Listing(rs.getLong("id"), KeyFormat.PREFIX + rs.getString("public_id"), rs.getString("name"),
                rs.getString("state"), rs.getTimestamp("created_at").toInstant(), instant(rs, "last_used_at"),
                instant(rs, "expires_at"), instant(rs, "revoked_at"));
    }

    private static java.util.Map<String, Long> limits(String json) throws SQLException {
        if (json == null) {
            return java.util.Map.of();
        }
        try {
            return ai.cortensor.portal.json.Json.MAPPER.readValue(json,
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Long>>() {});
        } catch (java.io.IOException e) {
            throw new SQLException("api_keys.limits is not a JSON object of numbers", e);
        }
    }

    /** Sets a key's own limits (tighter than the plan's); null removes them. */
    public void setLimits(long id, java.util.Map<String, Long> limits) throws java.io.IOException {
        String json = limits == null ? null : ai.cortensor.portal.json.Json.MAPPER.writeValueAsString(limits);
        jdbi.useHandle(h -> h.createUpdate("UPDATE api_keys SET limits = CAST(:l AS jsonb) WHERE id = :id")
                .bind("l", json).bind("id", id).execute());
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
                expires == null ? null : expires.toInstant(), rs.getTimestamp("created_at").toInstant(),
                limits(rs.getString("limits")), "paused".equals(rs.getString("account_state")));
    }
}
