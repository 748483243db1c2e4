package ai.cortensor.portal.sessions;

import ai.cortensor.portal.accounts.OneTimeTokens;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Browser sessions of one audience: a random token in an HttpOnly cookie, its SHA-256 in {@code browser_sessions}.
 * Sessions slide: a use (at most once per {@link Policy#touchEvery}) pushes expiry {@link Policy#idle} ahead, never
 * past {@link Policy#absolute} from sign-in. A session counts only while its principal still may sign in — the
 * {@link Principals} of the audience decide that on every request (a disabled operator, a revoked operator token).
 */
public final class BrowserSessions<P> {
    /** How long sessions of an audience live. */
    public record Policy(Audience audience, Duration idle, Duration absolute, Duration touchEvery) {}

    /** Loads the principal a session row names; empty when it no longer may use a session. */
    @FunctionalInterface
    public interface Principals<P> {
        Optional<P> load(SessionRow row);
    }

    /** A resolved session: its row and its principal. */
    public record Live<P>(SessionRow row, P principal) {}

    private final SessionStore store;
    private final Policy policy;
    private final Principals<P> principals;
    private final OneTimeTokens tokens;
    private final InstantSource clock;

    public BrowserSessions(Jdbi jdbi, Policy policy, Principals<P> principals, OneTimeTokens tokens, InstantSource clock) {
        this.store = new SessionStore(jdbi, policy.audience());
        this.policy = policy;
        this.principals = principals;
        this.tokens = tokens;
        this.clock = clock;
    }

    public Policy policy() {
        return policy;
    }

    /** Opens a session and returns the cookie value (shown to nobody else, stored only hashed). */
    public String start(long principalId, Long credentialId, String userAgent, String clientAddr) {
        String token = tokens.next();
        store.insert(OneTimeTokens.hash(token), principalId, credentialId, clock.instant().plus(policy.idle()),
                userAgent == null || userAgent.length() <= 300 ? userAgent : userAgent.substring(0, 300), clientAddr);
        return token;
    }

    public Optional<Live<P>> resolve(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<SessionRow> found = store.findLive(OneTimeTokens.hash(token), now);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SessionRow s = found.get();
        Optional<P> principal = principals.load(s);
        if (principal.isEmpty()) {
            return Optional.empty();
        }
        if (Duration.between(s.lastSeenAt(), now).compareTo(policy.touchEvery()) >= 0) {
            Instant cap = s.createdAt().plus(policy.absolute());
            Instant next = now.plus(policy.idle());
            store.touch(s.id(), now, next.isAfter(cap) ? cap : next);
        }
        return Optional.of(new Live<>(s, principal.get()));
    }

    /** Records the organization a (customer) session acts for; null = the personal account. */
    public void actFor(long sessionId, Long organizationId) {
        store.setOrganization(sessionId, organizationId);
    }

    public List<SessionRow> live(long principalId) {
        return store.liveFor(principalId, clock.instant());
    }

    public void end(long sessionId, long principalId) {
        store.revoke(principalId, sessionId, null, clock.instant());
    }

    public void endOthers(long principalId, long keepSessionId) {
        store.revoke(principalId, null, keepSessionId, clock.instant());
    }

    /** Signs the principal out everywhere; returns how many sessions ended. */
    public int endAll(long principalId) {
        return store.revoke(principalId, null, null, clock.instant());
    }
}
