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

    /**
     * One limit's usage: 60 per-bucket counts with the bucket epoch each slot holds, and their running total, or a
     * concurrency gauge. Invariant: {@code total} is the sum of {@code counts}, and every slot with a count holds an
     * epoch within the window ending at {@code head}; moving {@code head} forward clears the slots that fall out.
     */
    static final class Counter {
        final long[] counts = new long[Limit.BUCKETS];
        final long[] epochs = new long[Limit.BUCKETS];
        long total;
        long head = Long.MIN_VALUE;
        long inFlight;

        private void advance(long epoch) {
            if (head == Long.MIN_VALUE) {
                head = epoch;
                for (int k = 0; k < Limit.BUCKETS; k++) {
                    epochs[(int) Math.floorMod(epoch - k, Limit.BUCKETS)] = epoch - k;
                }
                return;
            }
            if (epoch <= head) {
                return;
            }
            long from = Math.max(head + 1, epoch - Limit.BUCKETS + 1);
            if (epoch - head >= Limit.BUCKETS) {
                java.util.Arrays.fill(counts, 0);
                total = 0;
            }
            for (long e = from; e <= epoch; e++) {
                int slot = (int) Math.floorMod(e, Limit.BUCKETS);
                total -= counts[slot];
                counts[slot] = 0;
                epochs[slot] = e;
            }
            head = epoch;
        }

        long used(Limit l, long epoch) {
            if (l.kind().concurrency()) {
                return inFlight;
            }
            advance(epoch);
            return total;
        }

        /** Time until usage frees up enough for {@code amount} more (at most one window). */
        Duration waitFor(Limit l, long epoch, long amount, long nowMillis) {
            if (l.kind().concurrency()) {
                return Duration.ofSeconds(1);
            }
            long used = used(l, epoch);
            for (long e = head - Limit.BUCKETS + 1; e <= head; e++) {
                used -= counts[(int) Math.floorMod(e, Limit.BUCKETS)];
                if (used + amount <= l.max()) {
                    return Duration.ofMillis(Math.max(1, (e + Limit.BUCKETS) * l.bucketMillis() - nowMillis));
                }
            }
            return l.window();
        }

        /** Time until the oldest counted usage leaves the window (zero when nothing is counted). */
        Duration resetIn(Limit l, long epoch, long nowMillis) {
            if (l.kind().concurrency() || used(l, epoch) == 0) {
                return Duration.ZERO;
            }
            for (long e = head - Limit.BUCKETS + 1; e <= head; e++) {
                if (counts[(int) Math.floorMod(e, Limit.BUCKETS)] > 0) {
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
            advance(epoch);
            adjust(epoch, amount);
        }

        /** Corrects the bucket of {@code epoch} if it is still counted; a count never goes below zero. */
        void adjust(long epoch, long delta) {
            int slot = (int) Math.floorMod(epoch, Limit.BUCKETS);
            if (epochs[slot] == epoch && epoch > head - Limit.BUCKETS) {
                long next = Math.max(0, counts[slot] + delta);
                total += next - counts[slot];
                counts[slot] = next;
            }
        }
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
            Reservation reservation = new Reservation(this, limits, epochs, tokens);
            reservation.handles = cs;
            return new Admission.Admitted(reservation,
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
        Counter[] cs = (Counter[]) r.handles;
        synchronized (cs[0]) {
            for (int i = 0; i < limits.size(); i++) {
                Limit l = limits.get(i);
                Counter c = cs[i];
                if (l.kind().concurrency()) {
                    c.inFlight = Math.max(0, c.inFlight - 1);
                } else if (l.kind().tokens()) {
                    c.adjust(r.epochs[i], actualTokens - r.reservedTokens);
                }
            }
        }
    }

    /**
     * Takes back an admission that did not go ahead (Redis refused it after this process admitted it): its request,
     * its reserved tokens and its concurrency slot. The reservation must not be settled afterwards.
     */
    void release(Reservation r) {
        List<Limit> limits = r.limits;
        if (limits.isEmpty()) {
            return;
        }
        Counter[] cs = (Counter[]) r.handles;
        synchronized (cs[0]) {
            for (int i = 0; i < limits.size(); i++) {
                Limit l = limits.get(i);
                if (l.kind().concurrency()) {
                    cs[i].inFlight = Math.max(0, cs[i].inFlight - 1);
                } else {
                    cs[i].adjust(r.epochs[i], -amount(l, r.reservedTokens));
                }
            }
        }
    }

    @Override
    public List<State> peek(List<Limit> limits, long nowMillis) {
        List<State> out = new ArrayList<>(limits.size());
        if (limits.isEmpty()) {
            return out;
        }
        synchronized (counter(limits.get(0), nowMillis)) {
            for (Limit l : limits) {
                Counter c = counter(l, nowMillis);
                long epoch = nowMillis / l.bucketMillis();
                out.add(new State(l, c.used(l, epoch), c.resetIn(l, epoch, nowMillis)));
            }
        }
        return out;
    }
}
