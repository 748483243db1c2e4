package ai.cortensor.routersim;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The current {@link Behavior} together with the counters its {@code failEveryNth} and
 * {@code jsonNonCompliantAttempts} count on; replaced as one value, so a new behaviour always starts counting at
 * request 1.
 */
record ActiveBehavior(Behavior behavior, AtomicLong eligibleRequests, AtomicLong jsonRequests) {

    static ActiveBehavior of(Behavior behavior) {
        return new ActiveBehavior(behavior, new AtomicLong(), new AtomicLong());
    }

    /** Counts one request that would otherwise succeed; true when it must get the configured failure. */
    boolean nextRequestFails() {
        long k = eligibleRequests.incrementAndGet();
        return behavior.failure() != Behavior.Failure.NONE && k % behavior.failEveryNth() == 0;
    }

    /** Counts one answer to a structured-output request; true while it is among the first non-compliant ones. */
    boolean nextJsonFails() {
        return jsonRequests.incrementAndGet() <= behavior.jsonNonCompliantAttempts();
    }
}
