package ai.cortensor.portal.plans;

import java.time.Duration;

/** The admission decision for one request: a value the gateway, the request log and "why blocked" all read. */
public sealed interface Admission {

    /** What is left of the tightest requests-per-minute and tokens-per-minute limit, for x-ratelimit headers. */
    record Headroom(long limit, long remaining, Duration reset) {}

    /** Admitted: settle the reservation exactly once when the request ends. Headroom may be null (no such limit). */
    record Admitted(Reservation reservation, Headroom requests, Headroom tokens) implements Admission {}

    /** Refused by {@code limit}, which has {@code used} of its maximum; try again after {@code retryAfter}. */
    record Rejected(Limit limit, long used, Duration retryAfter, Headroom requests, Headroom tokens)
            implements Admission {}
}
