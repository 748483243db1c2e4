package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.Account;
import ai.cortensor.portal.accounts.Accounts;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.accounts.User;
import ai.cortensor.portal.sessions.Audience;
import ai.cortensor.portal.sessions.BrowserSessions;
import ai.cortensor.portal.sessions.SessionRow;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Customers' browser sessions ({@link BrowserSessions} of {@link Audience#CUSTOMER}): long and sliding — a use pushes
 * expiry {@link #POLICY}'s idle time ahead, never past its absolute limit — and each names the account (personal or
 * an organization of the user) the browser acts for.
 */
public final class Sessions {
    public static final BrowserSessions.Policy POLICY = new BrowserSessions.Policy(Audience.CUSTOMER,
            Duration.ofDays(3), Duration.ofDays(30), Duration.ofMinutes(1));

    private final BrowserSessions<User> sessions;
    private final Accounts accounts;

    public Sessions(BrowserSessions<User> sessions, Accounts accounts) {
        this.sessions = sessions;
        this.accounts = accounts;
    }

    /**
     * The principals of customer sessions: users that exist. A paused customer stays signed in: the portal is
     * read-only for a paused account ({@link Gate.Guard}), not closed.
     */
    public static BrowserSessions.Principals<User> principals(Accounts accounts) {
        return row -> accounts.user(row.principalId());
    }

    /** A signed-in browser: who, acting for which account, and which session row. */
    public record Current(long sessionId, User user, Account account, List<OrganizationStore.Membership> memberships) {}

    BrowserSessions<User> browser() {
        return sessions;
    }

    Current current(BrowserSessions.Live<User> live) {
        SessionRow s = live.row();
        List<OrganizationStore.Membership> memberships = accounts.memberships(s.principalId());
        Account account = new Account(s.principalId(), null, "Personal", "owner");
        if (s.organizationId() != null) {
            for (OrganizationStore.Membership m : memberships) {
                if (m.organizationId() == s.organizationId()) {
                    account = new Account(s.principalId(), m.organizationId(), m.name(), m.role());
                }
            }
        }
        return new Current(s.id(), live.principal(), account, memberships);
    }

    public Optional<Current> resolve(String token) {
        return sessions.resolve(token).map(this::current);
    }

    /** Switches the account a session acts for; only to the personal account or an organization of the user. */
    public boolean switchAccount(Current current, Long organizationId) {
        if (organizationId != null && current.memberships().stream().noneMatch(m -> m.organizationId() == organizationId)) {
            return false;
        }
        sessions.actFor(current.sessionId(), organizationId);
        return true;
    }

    public List<SessionRow> list(long userId) {
        return sessions.live(userId);
    }

    public void end(long sessionId, long userId) {
        sessions.end(sessionId, userId);
    }

    public void endOthers(long userId, long keepSessionId) {
        sessions.endOthers(userId, keepSessionId);
    }
}
