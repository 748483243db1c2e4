package ai.cortensor.portal.plans;

import java.time.Duration;
import java.util.List;

/**
 * Counts usage against limits: in this process ({@link LocalLimiter}) or in Redis shared by replicas
 * ({@link RedisLimiter}). {@link #admit} checks every limit and takes from all of them, or from none.
 */
public interface Limiter {

    /** How much of a limit is used now, and when its oldest counted usage leaves the window. */
    record State(Limit limit, long used, Duration resetIn) {
        public boolean exhausted(long amount) {
            return used + amount > limit.max();
        }
    }

    /**
     * Where limits are counted ({@code process} or {@code redis}), whether that store answers now, and for Redis
     * the policy applied while it does not ({@code limits.redis-failure}: {@code local}, {@code open},
     * {@code closed}; null in process). For {@code /health}.
     */
    record Store(String name, boolean up, String failurePolicy) {}

    default Store store() {
        return new Store("process", true, null);
    }

    Admission admit(List<Limit> limits, long tokens, long nowMillis);

    /** Called by {@link Reservation#settle} only. */
    void settle(Reservation reservation, long actualTokens);

    /** The state of each limit, changing nothing (for "why blocked" and the portal). */
    List<State> peek(List<Limit> limits, long nowMillis);
}
