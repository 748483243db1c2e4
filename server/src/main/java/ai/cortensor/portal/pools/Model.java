package ai.cortensor.portal.pools;

import java.time.Instant;

/** A public model alias from the catalog. Prices are micro-USD per million tokens. */
public record Model(String alias, String displayName, String description, String ownedBy, int contextLength,
                    int maxOutputTokens, ChatTemplate template, long promptPrice, long completionPrice,
                    boolean enabled, Instant createdAt, String pool) {}
