package ai.cortensor.portal.pools;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A router pool: its operator state and its enabled targets with their health. Selection is power of two choices:
 * two distinct targets are drawn with probability proportional to weight and the one with fewer requests in
 * flight per unit of weight wins (the first drawn on a tie), among targets that are healthy and under their
 * concurrency cap, or in their half-open trial. At equal load this sends each target its share of weight; under
 * load it steers away from the busier one.
 */
public final class Pool {
    private final String name;
    private final String kind;
    private final String state;
    private final List<TargetHealth> members;
    private final double degradedBelow;

    public Pool(String name, String kind, String state, List<TargetHealth> members, double degradedBelow) {
        this.name = name;
        this.kind = kind;
        this.state = state;
        this.members = List.copyOf(members);
        this.degradedBelow = degradedBelow;
    }

    public String name() { return name; }
    public String kind() { return kind; }
    /** The state an operator set: live, paused or draining. */
    public String state() { return state; }
    public List<TargetHealth> members() { return members; }

    public List<RouterTarget> targets() {
        return members.stream().map(TargetHealth::target).toList();
    }

    /** Whether new requests may be sent here at all: not paused or draining, and with at least one target. */
    public boolean accepting() {
        return ("live".equals(state) || "degraded".equals(state)) && !members.isEmpty();
    }

    /** Accepting, and some target can take a request right now. */
    public boolean routable() {
        return accepting() && members.stream().anyMatch(TargetHealth::selectable);
    }

    /**
     * What requests see: {@code paused} and {@code draining} as set; a live pool is {@code degraded} while the
     * weight of its healthy targets is below the configured share of its total weight (or it has no target).
     */
    public String effectiveState() {
        if ("paused".equals(state) || "draining".equals(state)) {
            return state;
        }
        long total = 0;
        long healthy = 0;
        for (TargetHealth m : members) {
            total += m.target().weight();
            if (m.state() == TargetHealth.State.HEALTHY) {
                healthy += m.target().weight();
            }
        }
        return healthy < degradedBelow * total || healthy == 0 ? "degraded" : "live";
    }

    public int inFlight() {
        int n = 0;
        for (TargetHealth m : members) {
            n += m.inFlight();
        }
        return n;
    }

    /** A target for a new attempt, skipping {@code tried}; null when none can take it. */
    public TargetHealth select(Set<Long> tried, RandomGenerator random) {
        List<TargetHealth> candidates = new ArrayList<>(members.size());
        long totalWeight = 0;
        for (TargetHealth m : members) {
            if (!tried.contains(m.target().id()) && m.selectable()) {
                candidates.add(m);
                totalWeight += m.target().weight();
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        if (candidates.size() == 1) {
            return candidates.getFirst();
        }
        TargetHealth a = draw(candidates, totalWeight, null, random);
        TargetHealth b = draw(candidates, totalWeight - a.target().weight(), a, random);
        // compare inFlight/weight without division: a.inFlight * b.weight vs b.inFlight * a.weight
        long loadA = (long) a.inFlight() * b.target().weight();
        long loadB = (long) b.inFlight() * a.target().weight();
        return loadB < loadA ? b : a;
    }

    private static TargetHealth draw(List<TargetHealth> candidates, long totalWeight, TargetHealth skip,
                                     RandomGenerator random) {
        long r = random.nextLong(totalWeight);
        TargetHealth last = null;
        for (TargetHealth m : candidates) {
            if (m == skip) {
                continue;
            }
            last = m;
            r -= m.target().weight();
            if (r < 0) {
                return m;
            }
        }
        return last;
    }
}
