package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.Operator;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.sessions.Audience;
import ai.cortensor.portal.sessions.BrowserSessions;
import java.time.Duration;

/**
 * Console sessions ({@link BrowserSessions} of {@link Audience#OPERATOR}): an operator signs in with an operator
 * token; the browser then holds a random session token. Short on purpose: an hour without a request ends it, and it
 * never outlives eight hours from sign-in, the token it was opened with, or the operator being disabled.
 */
public final class OperatorSessions {
    public static final BrowserSessions.Policy POLICY = new BrowserSessions.Policy(Audience.OPERATOR,
            Duration.ofHours(1), Duration.ofHours(8), Duration.ofSeconds(30));

    private OperatorSessions() {}

    /** The principals of console sessions: active operators whose session's token is still live. */
    public static BrowserSessions.Principals<Operator> principals(OperatorStore operators) {
        return row -> operators.liveOperator(row.principalId(), row.credentialId());
    }

    /** A signed-in operator and their session row. */
    record Current(long sessionId, Operator operator) {}
}
