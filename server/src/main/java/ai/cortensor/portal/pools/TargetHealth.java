package ai.cortensor.portal.pools;

import ai.cortensor.portal.config.PortalConfig;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one replica knows about one router target: requests in flight, recent outcomes and whether the target is
 * in selection. A circuit breaker with three states:
 * <ul>
 *   <li>{@code healthy} — selectable while in-flight is below its concurrency cap;</li>
 *   <li>{@code ejected} — out of selection after {@code ejectAfterFailures} failures in a row or an error rate of at
 *       least {@code ejectErrorRate} over {@code minRequests}+ requests in the window (never one transient error),
 *       or three failed health probes in a row; stays out for the ejection time, doubled per repeat;</li>
 *   <li>{@code probing} — half-open: after the ejection time, or at once when a health probe succeeds, exactly one
 *       trial request may go; its success makes the target healthy, its failure ejects it again.</li>
 * </ul>
 * A failure means the router could not serve: connect error, timeout, 5xx, or a stream it cut. A client going
 * away or a 4xx answer is neutral.
 */
public final class TargetHealth {
    public enum State { HEALTHY, EJECTED, PROBING }

    /** How one attempt on this target ended, for health. */
    public enum Outcome { SUCCESS, FAILURE, NEUTRAL }

    private static final int BUCKETS = 10;
    private static final int PROBE_FAILURES_TO_EJECT = 3;

    private final PortalConfig.Health policy;
    private final InstantSource clock;
    private final long bucketMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile RouterTarget target;

    // guarded by this
    private final long[] bucketStart = new long[BUCKETS];
    private final int[] ok = new int[BUCKETS];
    private final int[] failed = new int[BUCKETS];
    private State state = State.HEALTHY;
    private int consecutiveFailures;
    private int consecutiveProbeFailures;
    private int ejections;
    private long ejectedUntil;
    private boolean trialInFlight;
    private long requests;
    private long failures;
    private long ejectionCount;
    private Instant lastProbeAt;
    private String lastProbe;

    public TargetHealth(RouterTarget target, PortalConfig.Health policy, InstantSource clock) {
        this.target = target;
        this.policy = policy;
        this.clock = clock;
        this.bucketMillis = Math.max(1, policy.window().toMillis() / BUCKETS);
    }

    public RouterTarget target() {
        return target;
    }

    /** A reloaded catalog may change weight, cap or address; health and in-flight carry over. */
    void update(RouterTarget target) {
        this.target = target;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public synchronized State state() {
        return currentState(clock.millis());
    }

    /** Whether a new request may go here now (healthy and under its cap, or the one half-open trial). */
    public synchronized boolean selectable() {
        return switch (currentState(clock.millis())) {
            case HEALTHY -> inFlight.get() < target.maxConcurrency();
            case PROBING -> !trialInFlight;
            case EJECTED -> false;
        };
    }

    /** Starts an attempt; pair it with exactly one {@link #finish}. */
    public synchronized void start() {
        if (currentState(clock.millis()) == State.PROBING) {
            trialInFlight = true;
        }
        inFlight.incrementAndGet();
    }

    /** Ends an attempt; returns true when this failure ejected the target. */
    public synchronized boolean finish(Outcome outcome) {
        inFlight.decrementAndGet();
        long now = clock.millis();
        State s = currentState(now);
        boolean trial = trialInFlight && s == State.PROBING;
        if (trial) {
            trialInFlight = false;
        }
        switch (outcome) {
            case NEUTRAL -> {
                return false;
            }
            case SUCCESS -> {
                requests++;
                bucket(now, true);
                consecutiveFailures = 0;
                if (trial) {
                    state = State.HEALTHY;
                    ejections = 0;
                    java.util.Arrays.fill(ok, 0); // start over: failures from before the ejection no longer count
                    java.util.Arrays.fill(failed, 0);
                }
                return false;
            }
            default -> {
                requests++;
                failures++;
                bucket(now, false);
                consecutiveFailures++;
                if (trial) {
                    eject(now);
                    return true;
                }
                if (s == State.HEALTHY && (consecutiveFailures >= policy.ejectAfterFailures() || errorRateTrips(now))) {
                    eject(now);
                    return true;
                }
                return false;
            }
        }
    }

    /**
     * A probe that timed out. While the target has requests in flight it is busy, not gone: a router saturated by
     * long streams answers its ping late (seen with 10,000 slow streams: every target ejected while streaming
     * fine), and real failures of those requests still eject it through {@link #finish}. So the timeout is
     * recorded but counted towards ejection only when nothing is in flight. Returns true when it ejected the target.
     */
    public synchronized boolean probeTimedOut() {
        if (inFlight.get() > 0) {
            lastProbeAt = Instant.ofEpochMilli(clock.millis());
            lastProbe = "timeout (busy: " + inFlight.get() + " in flight)";
            return false;
        }
        return probed(false, "timeout");
    }

    /** An active health probe's result; returns true when it ejected the target. */
    public synchronized boolean probed(boolean healthy, String detail) {
        long now = clock.millis();
        lastProbeAt = Instant.ofEpochMilli(now);
        lastProbe = detail;
        State s = currentState(now);
        if (healthy) {
            consecutiveProbeFailures = 0;
            if (s == State.EJECTED) {
                ejectedUntil = now; // the router answers again: let one trial request confirm it
            }
            return false;
        }
        consecutiveProbeFailures++;
        if (s == State.HEALTHY && consecutiveProbeFailures >= PROBE_FAILURES_TO_EJECT) {
            eject(now);
            return true;
        }
        return false;
    }

    public synchronized Snapshot snapshot() {
        long now = clock.millis();
        int[] w = window(now);
        double rate = w[0] + w[1] == 0 ? 0.0 : (double) w[1] / (w[0] + w[1]);
        return new Snapshot(currentState(now), inFlight.get(), requests, failures, rate, ejectionCount, lastProbeAt,
                lastProbe);
    }

    /** Counters since start; {@code errorRate} over the recent window. */
    public record Snapshot(State state, int inFlight, long requests, long failures, double errorRate, long ejections,
                           Instant lastProbeAt, String lastProbe) {}

    private State currentState(long now) {
        if (state == State.EJECTED && now >= ejectedUntil) {
            state = State.PROBING;
            trialInFlight = false;
        }
        return state;
    }

    private void eject(long now) {
        long base = policy.ejection().toMillis();
        long wait = Math.min(policy.maxEjection().toMillis(), base << Math.min(ejections, 20));
        ejections++;
        ejectionCount++;
        state = State.EJECTED;
        ejectedUntil = now + wait;
        trialInFlight = false;
        consecutiveFailures = 0;
        consecutiveProbeFailures = 0;
    }

    private boolean errorRateTrips(long now) {
        int[] w = window(now);
        int total = w[0] + w[1];
        return total >= policy.minRequests() && w[1] >= policy.ejectErrorRate() * total;
    }

    /** Successes and failures within the window: {@code {ok, failed}}. */
    private int[] window(long now) {
        int okSum = 0;
        int failSum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (now - bucketStart[i] < policy.window().toMillis()) {
                okSum += ok[i];
                failSum += failed[i];
            }
        }
        return new int[] {okSum, failSum};
    }

    private void bucket(long now, boolean success) {
        long start = now - Math.floorMod(now, bucketMillis);
        int i = (int) Math.floorMod(start / bucketMillis, (long) BUCKETS);
        if (bucketStart[i] != start) {
            bucketStart[i] = start;
            ok[i] = 0;
            failed[i] = 0;
        }
        if (success) {
            ok[i]++;
        } else {
            failed[i]++;
        }
    }
}
