package ai.cortensor.portal.plans;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What admission took: one request and {@code reservedTokens} on each limit, recorded in the bucket of
 * {@code epochs[i]}. {@link #settle} replaces the token estimate with the actual count and releases the concurrency
 * slot — once; later calls do nothing.
 */
public final class Reservation {
    private final Limiter limiter;
    final List<Limit> limits;
    final long[] epochs;
    final long reservedTokens;
    /** The limiter's own handles on what was taken (the in-process counters), so settlement needs no lookup. */
    Object handles;
    private final AtomicBoolean settled = new AtomicBoolean();

    Reservation(Limiter limiter, List<Limit> limits, long[] epochs, long reservedTokens) {
        this.limiter = limiter;
        this.limits = limits;
        this.epochs = epochs;
        this.reservedTokens = reservedTokens;
    }

    public long reservedTokens() {
        return reservedTokens;
    }

    /** Returns true the first time (the settlement happened), false on every later call. */
    public boolean settle(long actualTokens) {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        limiter.settle(this, Math.max(0, actualTokens));
        return true;
    }

    public boolean settled() {
        return settled.get();
    }
}
