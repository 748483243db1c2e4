package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.Operator;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.accounts.OneTimeTokens;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Console sessions: an operator signs in with an operator token; the browser then holds a random session token
 * (its hash in {@code operator_sessions}). Short on purpose: {@link #IDLE} without a request ends it, and it never
 * outlives {@link #ABSOLUTE} from sign-in, the token it was opened with, or the operator being disabled.
 */
final class OperatorSessions {
    static final Duration IDLE = Duration.ofHours(1);
    static final Duration ABSOLUTE = Duration.ofHours(8);

    private final OperatorStore store;
    private final OneTimeTokens tokens;
    private final InstantSource clock;

    OperatorSessions(OperatorStore store, OneTimeTokens tokens, InstantSource clock) {
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** A signed-in operator and their session row. */
    record Current(long sessionId, Operator operator) {}

    /** Opens a session for the holder of {@code operatorToken}; empty when the token is not a live operator token. */
    Optional<String> signIn(String operatorToken, String userAgent, String clientAddr) {
        return store.authenticateToken(operatorToken == null ? null : operatorToken.strip()).map(signed -> {
            String token = tokens.next();
            store.insertSession(OneTimeTokens.hash(token), signed, clock.instant().plus(IDLE),
                    userAgent == null || userAgent.length() <= 300 ? userAgent : userAgent.substring(0, 300), clientAddr);
            return token;
        });
    }

    Optional<Current> resolve(String sessionToken) {
        if (sessionToken == null || sessionToken.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return store.findSession(OneTimeTokens.hash(sessionToken), now).map(s -> {
            if (Duration.between(s.lastSeenAt(), now).toSeconds() >= 30) {
                Instant cap = s.createdAt().plus(ABSOLUTE);
                Instant next = now.plus(IDLE);
                store.touchSession(s.id(), now, next.isAfter(cap) ? cap : next);
            }
            return new Current(s.id(), s.operator());
        });
    }

    void end(long sessionId) {
        store.endSession(sessionId, clock.instant());
    }
}
