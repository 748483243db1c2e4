package ai.cortensor.portal.pools;

import ai.cortensor.portal.families.Family;
import java.time.Instant;
import java.util.List;

/**
 * A public model alias from the catalog. Prices are micro-USD per million tokens ({@link #prices()}). {@code pool} serves it first;
 * {@code fallbackPools} are tried in order when that pool cannot (paused, draining, or no healthy target).
 * {@code state} is the operator's: {@code enabled} (served), {@code paused} (kept in the catalog, refused for now
 * with {@code 503 model_unavailable}) or {@code disabled} (withdrawn, {@code 404 model_disabled}).
 */
public record Model(String alias, String displayName, String description, String ownedBy, int contextLength,
                    int maxOutputTokens, Family family, long promptPrice, long completionPrice,
                    String state, Instant createdAt, String pool, List<String> fallbackPools, Long reasoningPrice) {
    /** The states an operator sets. */
    public static final java.util.Set<String> STATES = java.util.Set.of("enabled", "paused", "disabled");

    public Model {
        fallbackPools = List.copyOf(fallbackPools);
    }

    public boolean enabled() {
        return "enabled".equals(state);
    }

    public boolean paused() {
        return "paused".equals(state);
    }

    public boolean disabled() {
        return "disabled".equals(state);
    }

    /** Its pools in the order they are tried: its own, then its fallbacks. */
    public List<String> pools() {
        if (pool == null) {
            return fallbackPools;
        }
        List<String> all = new java.util.ArrayList<>(1 + fallbackPools.size());
        all.add(pool);
        all.addAll(fallbackPools);
        return all;
    }

    /** The prices requests admitted now are charged at. */
    public Prices prices() {
        return new Prices(promptPrice, completionPrice, reasoningPrice);
    }
}
