package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.Account;
import ai.cortensor.portal.accounts.AccountStore;
import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.accounts.User;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * Browser sessions: a random token in an HttpOnly cookie, its hash in {@code user_sessions}. Sessions slide: each
 * use (at most once a minute) pushes expiry {@link #IDLE} ahead, never past {@link #ABSOLUTE} from sign-in.
 */
public final class Sessions {
    static final Duration IDLE = Duration.ofDays(3);
    static final Duration ABSOLUTE = Duration.ofDays(30);

    private final SessionStore store;
    private final AccountStore accounts;
    private final OrganizationStore orgs;
    private final OneTimeTokens tokens;
    private final InstantSource clock;

    public Sessions(SessionStore store, AccountStore accounts, OrganizationStore orgs, OneTimeTokens tokens,
                    InstantSource clock) {
        this.store = store;
        this.accounts = accounts;
        this.orgs = orgs;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** A signed-in browser: who, acting for which account, and which session row. */
    public record Current(long sessionId, User user, Account account, List<OrganizationStore.Membership> memberships) {}

    /** Starts a session and returns the cookie value (shown to nobody else, stored only hashed). */
    public String start(long userId, String userAgent, String clientAddr) {
        String token = tokens.next();
        store.insert(OneTimeTokens.hash(token), userId, clock.instant().plus(IDLE), truncate(userAgent), clientAddr);
        return token;
    }

    public Optional<Current> resolve(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<SessionStore.Row> row = store.findLive(OneTimeTokens.hash(token), now);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        SessionStore.Row s = row.get();
        Optional<User> user = accounts.find(s.userId());
        if (user.isEmpty()) {
            return Optional.empty();
        }
        // a paused customer stays signed in: the portal is read-only for a paused account (Gate), not closed
        if (Duration.between(s.lastSeenAt(), now).toSeconds() >= 60) {
            Instant cap = s.createdAt().plus(ABSOLUTE);
            Instant next = now.plus(IDLE);
            store.touch(s.id(), now, next.isAfter(cap) ? cap : next);
        }
        List<OrganizationStore.Membership> memberships = orgs.memberships(s.userId());
        Account account = new Account(s.userId(), null, "Personal", "owner");
        if (s.organizationId() != null) {
            for (OrganizationStore.Membership m : memberships) {
                if (m.organizationId() == s.organizationId()) {
                    account = new Account(s.userId(), m.organizationId(), m.name(), m.role());
                }
            }
        }
        return Optional.of(new Current(s.id(), user.get(), account, memberships));
    }

    /** Switches the account a session acts for; only to the personal account or an organization of the user. */
    public boolean switchAccount(Current current, Long organizationId) {
        if (organizationId != null && current.memberships().stream().noneMatch(m -> m.organizationId() == organizationId)) {
            return false;
        }
        store.setAccount(current.sessionId(), organizationId);
        return true;
    }

    public List<SessionStore.Row> list(long userId) {
        return store.liveForUser(userId, clock.instant());
    }

    public void end(long sessionId, long userId) {
        store.revoke(sessionId, userId, clock.instant());
    }

    public void endOthers(long userId, long keepSessionId) {
        store.revokeAllBut(userId, keepSessionId, clock.instant());
    }

    private static String truncate(String s) {
        return s == null ? null : s.length() > 300 ? s.substring(0, 300) : s;
    }
}
