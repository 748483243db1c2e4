package ai.cortensor.portal.plans;

/** Limits cannot be checked (Redis unreachable under {@code limits.redis-failure=closed}): refuse, retryable. */
public final class LimitsUnavailable extends RuntimeException {
    public LimitsUnavailable() {
        super("limit counters unavailable", null, false, false);
    }
}
