package ai.cortensor.portal.pools;

import java.time.Instant;
import java.util.List;

/**
 * A pool as operators see it from one replica: the state an operator set, the state requests see (health can make
 * a live pool {@code degraded}), in-flight requests on this replica and on all replicas together (what a drain
 * waits for), the models it serves and each target's health (this replica's view).
 */
public record PoolStatus(String name, String kind, String state, String effectiveState, int inFlight,
                         int inFlightAllReplicas, List<String> models, List<String> fallbackFor,
                         List<TargetStatus> targets) {

    /** This status with the other replicas' in-flight requests added. */
    public PoolStatus plusOtherReplicas(int others) {
        return new PoolStatus(name, kind, state, effectiveState, inFlight, inFlight + others, models, fallbackFor,
                targets);
    }

    /**
     * One target. {@code health}: {@code healthy}, {@code ejected} (out of selection after failures) or
     * {@code probing} (half-open: one trial request decides). {@code errorRate} covers the recent window.
     */
    public record TargetStatus(String name, String protocol, String state, String health, int inFlight, int weight,
                               int maxConcurrency, long requests, long failures, double errorRate,
                               Instant lastProbeAt, String lastProbe) {}
}
