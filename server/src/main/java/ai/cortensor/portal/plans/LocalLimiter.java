package ai.cortensor.portal.plans;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * In-process limiter. Each counter is 60 buckets of its window; a request's limits all belong to one account, so
 * one lock (the first counter's) makes the check-and-take over all of them atomic. Idle counters are dropped after
 * a week and a day.
 */
public final class LocalLimiter implements Limiter {
    private final Cache<String, Counter> counters = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofDays(8)).maximumSize(2_000_000).build();
    private final Seeder seeder;

    /**
     * Where an allowance counter's past comes from when this process first needs it (after a restart the weekly
     * usage must not start from zero): bucket epoch → amount within the window ending at {@code nowMillis}.
     */
    @FunctionalInterface
    public interface Seeder {
        java.util.Map<Long, Long> history(Limit limit, long nowMillis);
    }

    public LocalLimiter() {
        this((l, now) -> java.util.Map.of());
    }

    public LocalLimiter(Seeder seeder) {
        this.seeder = seeder;
    }

    /** One limit's usage: per-bucket counts tagged with the bucket epoch they hold, or a concurrency gauge. */
    static final class Counter {
        final long[] counts = new long[Limit.BUCKETS];
        final long[] epochs = new long[Limit.BUCKETS];
        long inFlight;

        long used(Limit l, long epoch) {
            if (l.kind().concurrency()) {
                return inFlight;
            }
            long sum = 0;
            for (int i = 0; i < Limit.BUCKETS; i++) {
                if (epochs[i] > epoch - Limit.BUCKETS && epochs[i] <= epoch) {
                    sum += counts[i];
                }
            }
            return sum;
        }

        /** Time until usage frees up enough for {@code amount} more (at most one window). */
        Duration waitFor(Limit l, long epoch, long amount, long nowMillis) {
            if (l.kind().concurrency()) {
                return Duration.ofSeconds(1);
            }
            long used = used(l, epoch);
            long bucket = l.bucketMillis();
            for (long e = epoch - Limit.BUCKETS + 1; e <= epoch; e++) {
                int slot = (int) Math.floorMod(e, Limit.BUCKETS);
                if (epochs[slot] == e) {
                    used -= counts[slot];
                }
                if (used + amount <= l.max()) {
                    return Duration.ofMillis(Math.max(1, (e + Limit.BUCKETS) * bucket - nowMillis));
                }
            }
            return l.window();
        }

        Duration resetIn(Limit l, long epoch, long nowMillis) {
            if (l.kind().concurrency()) {
                return Duration.ZERO;
            }
            for (long e = epoch - Limit.BUCKETS + 1; e <= epoch; e++) {
                int slot = (int) Math.floorMod(e, Limit.BUCKETS);
                if (epochs[slot] == e && counts[slot] > 0) {
                    return Duration.ofMillis(Math.max(0, (e + Limit.BUCKETS) * l.bucketMillis() - nowMillis));
                }
            }
            return Duration.ZERO;
        }

        void add(Limit l, long epoch, long amount) {
            if (l.kind().concurrency()) {
                inFlight += amount;
                return;
            }
            int slot = (int) Math.floorMod(epoch, Limit.BUCKETS);
            if (epochs[slot] != epoch) {
                epochs[slot] = epoch;
                counts[slot] = 0;
            }
            counts[slot] = Math.max(0, counts[slot] + amount);
        }

        /** Corrects an earlier bucket, if it is still counted. */
        void adjust(long epoch, long delta) {
            int slot = (int) Math.floorMod(epoch, Limit.BUCKETS);
            if (epochs[slot] == epoch) {
                counts[slot] = Math.max(0, counts[slot] + delta);
            }
        }
    }

    private Counter counter(Limit l) {
        return counter(l, System.currentTimeMillis());
    }

    private Counter counter(Limit l, long nowMillis) {
        return counters.get(l.counterKey(), k -> {
            Counter c = new Counter();
            if (l.kind().allowance()) {
                seeder.history(l, nowMillis).forEach((epoch, amount) -> c.add(l, epoch, amount));
            }
            return c;
        });
    }

    static long amount(Limit l, long tokens) {
        return l.kind().tokens() ? tokens : 1;
    }

    @Override
    public Admission admit(List<Limit> limits, long tokens, long nowMillis) {
        int n = limits.size();
        Counter[] cs = new Counter[n];
        long[] epochs = new long[n];
        for (int i = 0; i < n; i++) {
            cs[i] = counter(limits.get(i), nowMillis);
            epochs[i] = nowMillis / limits.get(i).bucketMillis();
        }
        Object lock = n == 0 ? this : cs[0];
        synchronized (lock) {
            for (int i = 0; i < n; i++) {
                Limit l = limits.get(i);
                long used = cs[i].used(l, epochs[i]);
                if (used + amount(l, tokens) > l.max()) {
                    return new Admission.Rejected(l, used, cs[i].waitFor(l, epochs[i], amount(l, tokens), nowMillis),
                            headroom(limits, cs, epochs, LimitKind.REQUESTS_PER_MINUTE, 0, nowMillis),
                            headroom(limits, cs, epochs, LimitKind.TOKENS_PER_MINUTE, 0, nowMillis));
                }
            }
            for (int i = 0; i < n; i++) {
                cs[i].add(limits.get(i), epochs[i], amount(limits.get(i), tokens));
            }
            return new Admission.Admitted(new Reservation(this, limits, epochs, tokens),
                    headroom(limits, cs, epochs, LimitKind.REQUESTS_PER_MINUTE, 0, nowMillis),
                    headroom(limits, cs, epochs, LimitKind.TOKENS_PER_MINUTE, 0, nowMillis));
        }
    }

    /** The tightest limit of {@code kind} (least remaining), or null when there is none. */
    private static Admission.Headroom headroom(List<Limit> limits, Counter[] cs, long[] epochs, LimitKind kind,
                                               long extra, long nowMillis) {
        Admission.Headroom best = null;
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            if (l.kind() != kind) {
                continue;
            }
            long remaining = Math.max(0, l.max() - cs[i].used(l, epochs[i]) - extra);
            if (best == null || remaining < best.remaining()) {
                best = new Admission.Headroom(l.max(), remaining, cs[i].resetIn(l, epochs[i], nowMillis));
            }
        }
        return best;
    }

    @Override
    public void settle(Reservation r, long actualTokens) {
        List<Limit> limits = r.limits;
        if (limits.isEmpty()) {
            return;
        }
        Counter first = counter(limits.get(0));
        synchronized (first) {
            for (int i = 0; i < limits.size(); i++) {
                Limit l = limits.get(i);
                Counter c = counter(l);
                if (l.kind().concurrency()) {
                    c.inFlight = Math.max(0, c.inFlight - 1);
                } else if (l.kind().tokens()) {
                    c.adjust(r.epochs[i], actualTokens - r.reservedTokens);
                }
            }
        }
    }

    @Override
    public List<State> peek(List<Limit> limits, long nowMillis) {
        List<State> out = new ArrayList<>(limits.size());
        for (Limit l : limits) {
            Counter c = counter(l, nowMillis);
            long epoch = nowMillis / l.bucketMillis();
            synchronized (limits.isEmpty() ? this : counter(limits.get(0))) {
                out.add(new State(l, c.used(l, epoch), c.resetIn(l, epoch, nowMillis)));
            }
        }
        return out;
    }
}
