package ai.cortensor.portal.accounts;

import ai.cortensor.portal.plans.Subscriptions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code organizations}, {@code organization_members} and {@code organization_invites}. */
public final class OrganizationStore {
    private final Jdbi jdbi;

    public OrganizationStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record Membership(long organizationId, String name, String role) {}

    public record Member(long userId, String email, String role, Instant since) {}

    public record Invite(long id, long organizationId, String organizationName, String email, String role,
                         Instant expiresAt, Instant acceptedAt) {}

    /** Creates an organization with {@code ownerId} as owner and the free plan. */
    public long create(String name, long ownerId) {
        return jdbi.inTransaction(h -> {
            long id = h.createQuery("INSERT INTO organizations (name, created_by) VALUES (:n, :u) RETURNING id")
                    .bind("n", name).bind("u", ownerId).mapTo(Long.class).one();
            h.createUpdate("INSERT INTO organization_members (organization_id, user_id, role) VALUES (:o, :u, 'owner')")
                    .bind("o", id).bind("u", ownerId).execute();
            Subscriptions.startOnFree(h, null, id);
            return id;
        });
    }

    public List<Membership> memberships(long userId) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT o.id, o.name, m.role FROM organization_members m JOIN organizations o ON o.id = m.organization_id
                WHERE m.user_id = :u ORDER BY o.name, o.id""").bind("u", userId)
                .map((rs, ctx) -> new Membership(rs.getLong("id"), rs.getString("name"), rs.getString("role"))).list());
    }

    public Optional<Membership> membership(long userId, long organizationId) {
        return memberships(userId).stream().filter(m -> m.organizationId() == organizationId).findFirst();
    }

    public List<Member> members(long organizationId) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT u.id, u.email, m.role, m.created_at FROM organization_members m JOIN users u ON u.id = m.user_id
                WHERE m.organization_id = :o ORDER BY m.created_at""").bind("o", organizationId)
                .map((rs, ctx) -> new Member(rs.getLong("id"), rs.getString("email"), rs.getString("role"),
                        rs.getTimestamp("created_at").toInstant())).list());
    }

    public long invite(long organizationId, String email, String role, byte[] tokenHash, long invitedBy, Instant expiresAt) {
        return jdbi.withHandle(h -> h.createQuery("""
                INSERT INTO organization_invites (organization_id, email, role, token_hash, invited_by, expires_at)
                VALUES (:o, :e, :r, :t, :by, :x) RETURNING id""")
                .bind("o", organizationId).bind("e", email).bind("r", role).bind("t", tokenHash)
                .bind("by", invitedBy).bind("x", expiresAt).mapTo(Long.class).one());
    }

    public List<Invite> pendingInvites(long organizationId) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT i.*, o.name FROM organization_invites i JOIN organizations o ON o.id = i.organization_id
                WHERE i.organization_id = :o AND i.accepted_at IS NULL ORDER BY i.created_at DESC""")
                .bind("o", organizationId).map((rs, ctx) -> invite(rs)).list());
    }

    public Optional<Invite> inviteByToken(byte[] tokenHash) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT i.*, o.name FROM organization_invites i JOIN organizations o ON o.id = i.organization_id
                WHERE i.token_hash = :t""").bind("t", tokenHash).map((rs, ctx) -> invite(rs)).findOne());
    }

    /** Adds the user as a member and marks the invite accepted, once; false when it was already used. */
    public boolean accept(long inviteId, long userId, Instant now) {
        return jdbi.inTransaction(h -> {
            var row = h.createQuery("UPDATE organization_invites SET accepted_at = :now WHERE id = :id "
                            + "AND accepted_at IS NULL AND expires_at > :now RETURNING organization_id, role")
                    .bind("id", inviteId).bind("now", now)
                    .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getString(2)}).findOne();
            if (row.isEmpty()) {
                return false;
            }
            h.createUpdate("INSERT INTO organization_members (organization_id, user_id, role) VALUES (:o, :u, :r) "
                    + "ON CONFLICT (organization_id, user_id) DO NOTHING")
                    .bind("o", (Long) row.get()[0]).bind("u", userId).bind("r", (String) row.get()[1]).execute();
            return true;
        });
    }

    private static Invite invite(java.sql.ResultSet rs) throws java.sql.SQLException {
        var accepted = rs.getTimestamp("accepted_at");
        return new Invite(rs.getLong("id"), rs.getLong("organization_id"), rs.getString("name"), rs.getString("email"),
                rs.getString("role"), rs.getTimestamp("expires_at").toInstant(),
                accepted == null ? null : accepted.toInstant());
    }
}
