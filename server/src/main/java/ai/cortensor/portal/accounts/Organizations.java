package ai.cortensor.portal.accounts;

import ai.cortensor.portal.audit.Actor;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Organizations as their members use them: create one, invite by email (one pending invitation per address),
 * cancel an invitation, accept it, remove a member, leave. Owners invite, cancel and remove; every member may leave,
 * except the last owner. Every change is audited with the customer as actor. Mistakes in a form are
 * {@link FormError}s, refusals {@link MembershipRefused}s; in both cases nothing changed.
 */
public final class Organizations {
    static final Duration INVITE_TTL = Duration.ofDays(7);
    private static final Set<String> ROLES = Set.of("owner", "member");

    private final OrganizationStore store;
    private final Mailer mailer;
    private final OneTimeTokens tokens;
    private final InstantSource clock;
    private final Supplier<String> publicUrl;

    public Organizations(OrganizationStore store, Mailer mailer, OneTimeTokens tokens, InstantSource clock,
                         Supplier<String> publicUrl) {
        this.store = store;
        this.mailer = mailer;
        this.tokens = tokens;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    /** Where an invitation stands now. */
    public enum InvitationState { PENDING, ACCEPTED, CANCELLED, EXPIRED }

    /** An invitation and where it stands now. */
    public record Invitation(OrganizationStore.Invite invite, InvitationState state) {}

    public long create(long ownerId, String name, Actor actor) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty() || n.length() > 80) {
            throw new FormError("name", "Give the organization a name of 1 to 80 characters.");
        }
        return store.create(n, ownerId, actor);
    }

    public List<OrganizationStore.Membership> memberships(long userId) {
        return store.memberships(userId);
    }

    public List<OrganizationStore.Member> members(Account account) {
        return account.personal() ? List.of() : store.members(account.organizationId());
    }

    /** Pending invitations that can still be accepted (not accepted, cancelled or expired), newest first. */
    public List<OrganizationStore.Invite> pendingInvites(Account account) {
        return account.personal() ? List.of() : store.pendingInvites(account.organizationId(), clock.instant());
    }

    /** Invites an address to the organization the owner acts for, and mails the link (valid 7 days). */
    public void invite(Account account, Actor actor, String email, String role) {
        requireOwner(account, "Only owners of an organization can invite members.");
        String normalized = Accounts.normalizeEmail(email);
        if (!ROLES.contains(role)) {
            throw new FormError("role", "Choose owner or member.");
        }
        String token = tokens.next();
        Instant now = clock.instant();
        switch (store.invite(account.organizationId(), normalized, role, OneTimeTokens.hash(token), actor,
                account.userId(), now, now.plus(INVITE_TTL))) {
            case OrganizationStore.Invited.Created created -> { }
            case OrganizationStore.Invited.AlreadyMember m ->
                    throw new FormError("email", normalized + " is already a member of " + account.name() + ".");
            case OrganizationStore.Invited.AlreadyPending p -> throw new FormError("email", normalized
                    + " already has a pending invitation (sent by " + p.pending().invitedBy() + ", valid until "
                    + day(p.pending().expiresAt())
                    + "). Cancel it under Pending invitations to send a new one.");
        }
        mailer.send(new Mail(normalized, "You are invited to " + account.name() + " on Cortensor Portal",
                actor.name() + " invited you to join the organization \"" + account.name() + "\" as " + role
                        + ".\n\nAccept the invitation (valid for 7 days):\n\n" + publicUrl.get()
                        + "/invite?token=" + token
                        + "\n\nNo account yet? The link lets you create one with this address.\n"));
    }

    /** Cancels a pending invitation of the organization the owner acts for; its link stops working at once. */
    public OrganizationStore.Invite cancelInvite(Account account, long inviteId, Actor actor) {
        requireOwner(account, "Only owners of an organization can cancel invitations.");
        return store.cancel(account.organizationId(), inviteId, actor, account.userId(), clock.instant())
                .orElseThrow(() -> new MembershipRefused(MembershipRefused.Kind.NOT_FOUND,
                        "There is no pending invitation like that in " + account.name() + "."));
    }

    public Optional<Invitation> invitation(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return store.inviteByToken(OneTimeTokens.hash(token)).map(i -> new Invitation(i,
                i.acceptedAt() != null ? InvitationState.ACCEPTED
                        : i.cancelledAt() != null ? InvitationState.CANCELLED
                        : !i.expiresAt().isAfter(now) ? InvitationState.EXPIRED : InvitationState.PENDING));
    }

    /** Accepts an invitation for the signed-in user, whose email must be the invited one. Returns the organization id. */
    public long accept(String token, User user, Actor actor) {
        Invitation invitation = invitation(token).orElseThrow(() ->
                new FormError("token", "This invitation link is not valid."));
        OrganizationStore.Invite invite = invitation.invite();
        if (invitation.state() != InvitationState.PENDING) {
            throw new FormError("token", unusable(invitation));
        }
        if (!invite.email().equalsIgnoreCase(user.email())) {
            throw new FormError("token", "This invitation was sent to another email address. Sign in as "
                    + invite.email() + " to accept it.");
        }
        if (!store.accept(invite.id(), user.id(), actor, clock.instant())) {
            throw new FormError("token", "This invitation has expired, was cancelled or was already used.");
        }
        return invite.organizationId();
    }

    /** Why an invitation that is not pending cannot be used, in the customer's words. */
    public static String unusable(Invitation invitation) {
        String org = invitation.invite().organizationName();
        return switch (invitation.state()) {
            case ACCEPTED -> "This invitation to " + org + " was already accepted.";
            case CANCELLED -> "This invitation to " + org + " was cancelled. Ask an owner of " + org
                    + " to invite you again.";
            case EXPIRED -> "This invitation to " + org + " expired on "
                    + day(invitation.invite().expiresAt()) + ". Ask "
                    + invitation.invite().invitedBy() + " to invite you again.";
            case PENDING -> "This invitation can be accepted.";
        };
    }

    /** An owner removes another member of the organization they act for. Returns who was removed. */
    public OrganizationStore.Member removeMember(Account account, long userId, Actor actor) {
        requireOwner(account, "Only owners of an organization can remove members.");
        if (userId == account.userId()) {
            throw new MembershipRefused(MembershipRefused.Kind.CONFLICT,
                    "To remove yourself, leave the organization instead.");
        }
        return switch (store.removeMember(account.organizationId(), userId, "organization.member_remove", actor)) {
            case OrganizationStore.Removal.Removed r -> r.member();
            case OrganizationStore.Removal.NotMember n -> throw new MembershipRefused(
                    MembershipRefused.Kind.NOT_FOUND, "That person is not a member of " + account.name() + ".");
            case OrganizationStore.Removal.LastOwner l -> throw new MembershipRefused(
                    MembershipRefused.Kind.CONFLICT, "That is the last owner of " + account.name() + ".");
        };
    }

    /** The signed-in member leaves the organization they act for; the last owner cannot. */
    public void leave(Account account, Actor actor) {
        if (account.personal()) {
            throw new MembershipRefused(MembershipRefused.Kind.CONFLICT,
                    "You are acting for your personal account: there is no organization to leave.");
        }
        switch (store.removeMember(account.organizationId(), account.userId(), "organization.leave", actor)) {
            case OrganizationStore.Removal.Removed r -> { }
            case OrganizationStore.Removal.NotMember n -> throw new MembershipRefused(
                    MembershipRefused.Kind.NOT_FOUND, "You are not a member of " + account.name() + ".");
            case OrganizationStore.Removal.LastOwner l -> throw new MembershipRefused(
                    MembershipRefused.Kind.CONFLICT, lastOwner(account));
        }
    }

    /** Whether the member acting for this account is its only owner (and so cannot leave). */
    public boolean lastOwner(Account account, List<OrganizationStore.Member> members) {
        return !account.personal() && account.owner()
                && members.stream().filter(m -> "owner".equals(m.role())).count() <= 1;
    }

    public static String lastOwner(Account account) {
        return "You are the last owner of " + account.name() + ", so you cannot leave it. Invite another owner "
                + "first; once they have joined, you can leave.";
    }

    private static final java.time.format.DateTimeFormatter DAY = java.time.format.DateTimeFormatter
            .ofPattern("d MMM yyyy", java.util.Locale.ENGLISH).withZone(java.time.ZoneOffset.UTC);

    /** A date as the portal's pages write it: 22 Nov 2026 (UTC). */
    static String day(Instant t) {
        return DAY.format(t);
    }

    private static void requireOwner(Account account, String message) {
        if (account.personal() || !account.owner()) {
            throw new MembershipRefused(MembershipRefused.Kind.FORBIDDEN, message);
        }
    }
}
