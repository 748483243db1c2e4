package ai.cortensor.portal.accounts;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.plans.Subscriptions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for {@code organizations}, {@code organization_members} and {@code organization_invites}. Every change a
 * member makes is audited in its own transaction; the member rows of an organization are locked while its owners are
 * counted, so two owners leaving at once cannot leave it without one.
 */
public final class OrganizationStore {
    private final Jdbi jdbi;

    public OrganizationStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record Membership(long organizationId, String name, String role) {}

    public record Member(long userId, String email, String role, Instant since) {}

    /** An invitation as stored; {@link Organizations.Invitation} adds its state. */
    public record Invite(long id, long organizationId, String organizationName, String email, String role,
                         String invitedBy, Instant createdAt, Instant expiresAt, Instant acceptedAt,
                         Instant cancelledAt) {}

    /** Creates an organization with {@code ownerId} as owner and the free plan. */
    public long create(String name, long ownerId, Actor actor) {
        return jdbi.inTransaction(h -> {
            long id = h.createQuery("INSERT INTO organizations (name, created_by) VALUES (:n, :u) RETURNING id")
                    .bind("n", name).bind("u", ownerId).mapTo(Long.class).one();
            h.createUpdate("INSERT INTO organization_members (organization_id, user_id, role) VALUES (:o, :u, 'owner')")
                    .bind("o", id).bind("u", ownerId).execute();
            Subscriptions.startOnFree(h, null, id);
            AuditLog.append(h, actor, "organization.create", "organization", "o" + id, null,
                    Map.of("name", name, "owner", actor.name()), null);
            return id;
        });
    }

    public List<Membership> memberships(long userId) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT o.id, o.name, m.role FROM organization_members m JOIN organizations o ON o.id = m.organization_id
                WHERE m.user_id = :u ORDER BY o.name, o.id""").bind("u", userId)
                .map((rs, ctx) -> new Membership(rs.getLong("id"), rs.getString("name"), rs.getString("role"))).list());
    }

    public List<Member> members(long organizationId) {
        return jdbi.withHandle(h -> members(h, organizationId, false));
    }

    private static List<Member> members(Handle h, long organizationId, boolean lock) {
        // FOR UPDATE OF m: the member rows only (the users row of each member stays unlocked)
        return h.createQuery("""
                SELECT u.id, u.email, m.role, m.created_at FROM organization_members m JOIN users u ON u.id = m.user_id
                WHERE m.organization_id = :o ORDER BY m.created_at, u.id""" + (lock ? " FOR UPDATE OF m" : ""))
                .bind("o", organizationId)
                .map((rs, ctx) -> new Member(rs.getLong("id"), rs.getString("email"), rs.getString("role"),
                        rs.getTimestamp("created_at").toInstant())).list();
    }

    /** Outcome of {@link #invite}. */
    public sealed interface Invited {
        record Created(long id) implements Invited {}

        record AlreadyMember() implements Invited {}

        record AlreadyPending(Invite pending) implements Invited {}
    }

    /**
     * A new pending invitation, unless the address is a member already or has a pending, unexpired invitation to
     * this organization (the unique index decides between two owners inviting at once). An expired pending one is
     * cancelled first, so it does not stand in the way.
     */
    public Invited invite(long organizationId, String email, String role, byte[] tokenHash, Actor actor,
                          long invitedBy, Instant now, Instant expiresAt) {
        return jdbi.inTransaction(h -> {
            boolean member = h.createQuery("""
                    SELECT EXISTS (SELECT 1 FROM organization_members m JOIN users u ON u.id = m.user_id
                    WHERE m.organization_id = :o AND lower(u.email) = lower(:e))""")
                    .bind("o", organizationId).bind("e", email).mapTo(Boolean.class).one();
            if (member) {
                return new Invited.AlreadyMember();
            }
            h.createUpdate("""
                    UPDATE organization_invites SET cancelled_at = :now WHERE organization_id = :o
                    AND lower(email) = lower(:e) AND accepted_at IS NULL AND cancelled_at IS NULL AND expires_at <= :now""")
                    .bind("o", organizationId).bind("e", email).bind("now", now).execute();
            Optional<Long> id = h.createQuery("""
                    INSERT INTO organization_invites (organization_id, email, role, token_hash, invited_by, expires_at)
                    VALUES (:o, :e, :r, :t, :by, :x)
                    ON CONFLICT (organization_id, lower(email)) WHERE accepted_at IS NULL AND cancelled_at IS NULL
                    DO NOTHING RETURNING id""")
                    .bind("o", organizationId).bind("e", email).bind("r", role).bind("t", tokenHash)
                    .bind("by", invitedBy).bind("x", expiresAt).mapTo(Long.class).findOne();
            if (id.isEmpty()) {
                return new Invited.AlreadyPending(h.createQuery(SELECT_INVITE + """
                        WHERE i.organization_id = :o AND lower(i.email) = lower(:e)
                        AND i.accepted_at IS NULL AND i.cancelled_at IS NULL""")
                        .bind("o", organizationId).bind("e", email).map((rs, ctx) -> invite(rs)).one());
            }
            AuditLog.append(h, actor, "organization.invite", "organization", "o" + organizationId, null,
                    Map.of("invitation", id.get(), "email", email, "role", role), null);
            return new Invited.Created(id.get());
        });
    }

    /** Pending, unexpired invitations, newest first. */
    public List<Invite> pendingInvites(long organizationId, Instant now) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_INVITE + """
                WHERE i.organization_id = :o AND i.accepted_at IS NULL AND i.cancelled_at IS NULL AND i.expires_at > :now
                ORDER BY i.created_at DESC, i.id DESC""")
                .bind("o", organizationId).bind("now", now).map((rs, ctx) -> invite(rs)).list());
    }

    public Optional<Invite> inviteByToken(byte[] tokenHash) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_INVITE + "WHERE i.token_hash = :t").bind("t", tokenHash)
                .map((rs, ctx) -> invite(rs)).findOne());
    }

    /** Cancels a pending invitation of this organization; empty when there is none with this id (pending or not). */
    public Optional<Invite> cancel(long organizationId, long inviteId, Actor actor, long cancelledBy, Instant now) {
        return jdbi.inTransaction(h -> {
            Optional<Invite> cancelled = h.createQuery("""
                    UPDATE organization_invites SET cancelled_at = :now, cancelled_by = :by
                    WHERE id = :id AND organization_id = :o AND accepted_at IS NULL AND cancelled_at IS NULL
                    RETURNING id""").bind("now", now).bind("by", cancelledBy).bind("id", inviteId)
                    .bind("o", organizationId).mapTo(Long.class).findOne()
                    .map(id -> h.createQuery(SELECT_INVITE + "WHERE i.id = :id").bind("id", id)
                            .map((rs, ctx) -> invite(rs)).one());
            cancelled.ifPresent(i -> AuditLog.append(h, actor, "organization.invite_cancel", "organization",
                    "o" + organizationId, Map.of("invitation", i.id(), "email", i.email(), "state", "pending"),
                    Map.of("invitation", i.id(), "email", i.email(), "state", "cancelled"), null));
            return cancelled;
        });
    }

    /**
     * Adds the user as a member and marks the invitation accepted, once, while it is pending and unexpired; false
     * otherwise. Someone already a member stays as they are (their role is not changed by an invitation).
     */
    public boolean accept(long inviteId, long userId, Actor actor, Instant now) {
        return jdbi.inTransaction(h -> {
            var row = h.createQuery("UPDATE organization_invites SET accepted_at = :now WHERE id = :id "
                            + "AND accepted_at IS NULL AND cancelled_at IS NULL AND expires_at > :now "
                            + "RETURNING organization_id, role")
                    .bind("id", inviteId).bind("now", now)
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2))).findOne();
            if (row.isEmpty()) {
                return false;
            }
            long org = row.get().getKey();
            int added = h.createUpdate("INSERT INTO organization_members (organization_id, user_id, role) VALUES (:o, :u, :r) "
                    + "ON CONFLICT (organization_id, user_id) DO NOTHING")
                    .bind("o", org).bind("u", userId).bind("r", row.get().getValue()).execute();
            if (added > 0) {
                AuditLog.append(h, actor, "organization.join", "organization", "o" + org, null,
                        Map.of("invitation", inviteId, "member", actor.name(), "role", row.get().getValue()), null);
            }
            return true;
        });
    }

    /** Outcome of {@link #removeMember}. */
    public sealed interface Removal {
        record Removed(Member member) implements Removal {}

        record NotMember() implements Removal {}

        record LastOwner() implements Removal {}
    }

    /**
     * Removes a member ({@code action} {@code organization.member_remove}, or {@code organization.leave} when they
     * leave themselves). The organization's member rows are locked first: the last owner is never removed.
     */
    public Removal removeMember(long organizationId, long userId, String action, Actor actor) {
        return jdbi.inTransaction(h -> {
            List<Member> members = members(h, organizationId, true);
            Optional<Member> target = members.stream().filter(m -> m.userId() == userId).findFirst();
            if (target.isEmpty()) {
                return new Removal.NotMember();
            }
            long owners = members.stream().filter(m -> "owner".equals(m.role())).count();
            if ("owner".equals(target.get().role()) && owners <= 1) {
                return new Removal.LastOwner();
            }
            h.createUpdate("DELETE FROM organization_members WHERE organization_id = :o AND user_id = :u")
                    .bind("o", organizationId).bind("u", userId).execute();
            AuditLog.append(h, actor, action, "organization", "o" + organizationId,
                    Map.of("member", target.get().email(), "role", target.get().role()), null, null);
            return new Removal.Removed(target.get());
        });
    }

    private static final String SELECT_INVITE = """
            SELECT i.*, o.name, u.email AS invited_by_email FROM organization_invites i
            JOIN organizations o ON o.id = i.organization_id JOIN users u ON u.id = i.invited_by
            """;

    private static Invite invite(ResultSet rs) throws SQLException {
        return new Invite(rs.getLong("id"), rs.getLong("organization_id"), rs.getString("name"), rs.getString("email"),
                rs.getString("role"), rs.getString("invited_by_email"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("expires_at").toInstant(), instant(rs, "accepted_at"), instant(rs, "cancelled_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
