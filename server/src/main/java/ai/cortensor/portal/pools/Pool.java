package ai.cortensor.portal.pools;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A router pool and its enabled targets, picked round robin. Health, weights and failover come with pool states. */
public final class Pool {
    private final String name;
    private final String state;
    private final List<RouterTarget> targets;
    private final AtomicInteger next = new AtomicInteger();

    public Pool(String name, String state, List<RouterTarget> targets) {
        this.name = name;
        this.state = state;
        this.targets = List.copyOf(targets);
    }

    public String name() { return name; }
    public String state() { return state; }
    public List<RouterTarget> targets() { return targets; }

    public boolean routable() {
        return ("live".equals(state) || "degraded".equals(state)) && !targets.isEmpty();
    }

    /** The next target in round-robin order; callers check {@link #routable()} first. */
    public RouterTarget pick() {
        return targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
    }
}
