package ai.cortensor.portal.pools;

import ai.cortensor.portal.families.Family;
import java.time.Instant;
import java.util.List;

/**
 * A public model alias from the catalog. Prices are micro-USD per million tokens ({@link #prices()}). {@code pool} serves it first;
 * {@code fallbackPools} are tried in order when that pool cannot (paused, draining, or no healthy target).
 */
public record Model(String alias, String displayName, String description, String ownedBy, int contextLength,
                    int maxOutputTokens, Family family, long promptPrice, long completionPrice,
                    boolean enabled, Instant createdAt, String pool, List<String> fallbackPools, Long reasoningPrice) {
    public Model {
        fallbackPools = List.copyOf(fallbackPools);
    }

    /** The prices requests admitted now are charged at. */
    public Prices prices() {
        return new Prices(promptPrice, completionPrice, reasoningPrice);
    }
}
