package ai.cortensor.portal.admin;

import ai.cortensor.portal.keys.KeyFormat;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for what operators look up and change about customers: users, organizations and their keys. Never selects a
 * secret hash or password hash. Each change writes its audit event in the same transaction.
 */
public final class DirectoryStore {
    private static final String KEY_SELECT = """
            SELECT k.id, k.public_id, k.name, k.state, k.user_id, u.email, k.organization_id, o.name AS org_name,
                   k.created_at, k.expires_at, k.last_used_at, k.revoked_at, k.revoked_by, k.revoked_reason,
                   COALESCE(o.state, u.state) AS account_state,
                   CASE WHEN k.state = 'revoked' THEN 'revoked' WHEN k.expires_at <= now() THEN 'expired'
                        WHEN COALESCE(o.state, u.state) = 'paused' THEN 'account_paused' ELSE 'active' END AS status
            FROM api_keys k JOIN users u ON u.id = k.user_id LEFT JOIN organizations o ON o.id = k.organization_id
            """;
    private final Jdbi jdbi;

    public DirectoryStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Why and since when an account is paused; all null while it is active. */
    public record Pause(Instant at, String by, String reason) {}

    public record Membership(long organizationId, String name, String role) {}

    public record Member(long userId, String email, String role) {}

    public record UserRecord(long id, String account, String email, String displayName, String state,
                             Instant createdAt, Pause paused, List<Membership> organizations) {}

    public record OrganizationRecord(long id, String account, String name, String state, Instant createdAt,
                                     Pause paused, List<Member> members) {}

    /** Key metadata; {@code status} is what a request with it would meet: active, revoked, expired, account_paused. */
    public record KeyRecord(long id, String publicId, String prefix, String name, String status, String state,
                            String account, long userId, String ownerEmail, Long organizationId,
                            String organizationName, String accountState, Instant createdAt, Instant expiresAt,
                            Instant lastUsedAt, Instant revokedAt, String revokedBy, String revokedReason) {}

    public Optional<UserRecord> user(long id) {
        return userWhere("u.id = :v", id);
    }

    public Optional<UserRecord> userByEmail(String email) {
        return userWhere("lower(u.email) = lower(:v)", email);
    }

    private Optional<UserRecord> userWhere(String condition, Object value) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users u WHERE " + condition).bind("v", value)
                .map((rs, ctx) -> new UserRecord(rs.getLong("id"), "u" + rs.getLong("id"), rs.getString("email"),
                        rs.getString("display_name"), rs.getString("state"), instant(rs, "created_at"), pause(rs),
                        List.of())).findOne()
                .map(u -> new UserRecord(u.id(), u.account(), u.email(), u.displayName(), u.state(), u.createdAt(),
                        u.paused(), h.createQuery("""
                                SELECT o.id, o.name, m.role FROM organization_members m
                                JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = :u ORDER BY o.id""")
                        .bind("u", u.id()).map((rs, ctx) -> new Membership(rs.getLong("id"), rs.getString("name"),
                                rs.getString("role"))).list())));
    }

    public Optional<OrganizationRecord> organization(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM organizations WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new OrganizationRecord(rs.getLong("id"), "o" + rs.getLong("id"),
                        rs.getString("name"), rs.getString("state"), instant(rs, "created_at"), pause(rs), List.of()))
                .findOne()
                .map(o -> new OrganizationRecord(o.id(), o.account(), o.name(), o.state(), o.createdAt(), o.paused(),
                        h.createQuery("""
                                SELECT u.id, u.email, m.role FROM organization_members m JOIN users u ON u.id = m.user_id
                                WHERE m.organization_id = :o ORDER BY u.id""").bind("o", id)
                        .map((rs, ctx) -> new Member(rs.getLong("id"), rs.getString("email"), rs.getString("role")))
                        .list())));
    }

    public Optional<KeyRecord> key(long id) {
        return jdbi.withHandle(h -> h.createQuery(KEY_SELECT + "WHERE k.id = :id").bind("id", id)
                .map((rs, ctx) -> key(rs)).findOne());
    }

    /** Keys whose public id starts with {@code prefix} (at most {@code limit}); an exact id is one row. */
    public List<KeyRecord> keysByPrefix(String prefix, int limit) {
        String escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return jdbi.withHandle(h -> h.createQuery(KEY_SELECT + "WHERE k.public_id LIKE :p ORDER BY k.public_id LIMIT :n")
                .bind("p", escaped + "%").bind("n", limit).map((rs, ctx) -> key(rs)).list());
    }

    /**
     * Keys whose public id starts with {@code text} or whose name contains it (case-insensitively), newest first,
     * before the key {@code beforeId} (null: from the newest).
     */
    public List<KeyRecord> keysMatching(String text, Long beforeId, int limit) {
        String like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return jdbi.withHandle(h -> {
            var q = h.createQuery(KEY_SELECT + "WHERE (k.public_id LIKE :prefix OR lower(k.name) LIKE :part)"
                    + (beforeId == null ? "" : " AND k.id < :before") + " ORDER BY k.id DESC LIMIT :n")
                    .bind("prefix", like + "%").bind("part", "%" + like.toLowerCase(java.util.Locale.ROOT) + "%")
                    .bind("n", limit);
            if (beforeId != null) {
                q.bind("before", beforeId);
            }
            return q.map((rs, ctx) -> key(rs)).list();
        });
    }

    /** Keys newest first, keyset-paginated on id ({@code beforeId} null for the first page). */
    public List<KeyRecord> keys(AccountId account, String state, Long beforeId, int limit) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        if (account != null) {
            where.add(account.organization() ? "k.organization_id = :acct"
                    : "k.user_id = :acct AND k.organization_id IS NULL");
            binds.put("acct", account.id());
        }
        if (state != null) {
            where.add("k.state = :state");
            binds.put("state", state);
        }
        if (beforeId != null) {
            where.add("k.id < :before");
            binds.put("before", beforeId);
        }
        String sql = KEY_SELECT + (where.isEmpty() ? "" : "WHERE " + String.join(" AND ", where))
                + " ORDER BY k.id DESC LIMIT :n";
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql).bind("n", limit);
            binds.forEach(q::bind);
            return q.map((rs, ctx) -> key(rs)).list();
        });
    }

    /** Who each account is, for lists: a user's email or an organization's name, by {@code u12} / {@code o3}. */
    public Map<String, String> accountNames(java.util.Collection<AccountId> accounts) {
        Long[] users = accounts.stream().filter(a -> !a.organization()).map(AccountId::id).toArray(Long[]::new);
        Long[] orgs = accounts.stream().filter(AccountId::organization).map(AccountId::id).toArray(Long[]::new);
        if (users.length == 0 && orgs.length == 0) {
            return Map.of();
        }
        return jdbi.withHandle(h -> {
            Map<String, String> out = new java.util.HashMap<>();
            h.createQuery("SELECT 'u' || id AS account, email AS name FROM users WHERE id = ANY(:u) UNION ALL "
                            + "SELECT 'o' || id, name FROM organizations WHERE id = ANY(:o)")
                    .bind("u", users).bind("o", orgs)
                    .map((rs, ctx) -> Map.entry(rs.getString("account"), rs.getString("name")))
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        });
    }

    private static KeyRecord key(ResultSet rs) throws SQLException {
        long org = rs.getLong("organization_id");
        Long orgId = rs.wasNull() ? null : org;
        String publicId = rs.getString("public_id");
        return new KeyRecord(rs.getLong("id"), publicId, KeyFormat.PREFIX + publicId, rs.getString("name"),
                rs.getString("status"), rs.getString("state"), orgId == null ? "u" + rs.getLong("user_id") : "o" + orgId,
                rs.getLong("user_id"), rs.getString("email"), orgId, rs.getString("org_name"),
                rs.getString("account_state"), instant(rs, "created_at"), instant(rs, "expires_at"),
                instant(rs, "last_used_at"), instant(rs, "revoked_at"), rs.getString("revoked_by"),
                rs.getString("revoked_reason"));
    }

    private static Pause pause(ResultSet rs) throws SQLException {
        return "paused".equals(rs.getString("state"))
                ? new Pause(instant(rs, "paused_at"), rs.getString("paused_by"), rs.getString("paused_reason")) : null;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
