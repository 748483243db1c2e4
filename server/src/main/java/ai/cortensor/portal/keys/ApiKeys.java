package ai.cortensor.portal.keys;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Issues and verifies API keys. Verification reads a Caffeine cache keyed by public id (misses, including unknown
 * ids, are cached too), refreshed in the background, so a request does no database read in steady state.
 */
public final class ApiKeys {
    private final KeyStore store;
    private final SecureRandom random;
    private final InstantSource clock;
    private final LoadingCache<String, Optional<ApiKey>> cache;

    public ApiKeys(KeyStore store, SecureRandom random, InstantSource clock) {
        this.store = store;
        this.random = random;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(200_000)
                .refreshAfterWrite(Duration.ofSeconds(30))
                .expireAfterWrite(Duration.ofMinutes(10))
                .build(store::findByPublicId);
    }

    /** A new key and its one-time token; only the hash is stored. */
    public record Issued(ApiKey key, String token) {}

    public Issued issue(String name, long userId, Long organizationId, Instant expiresAt) {
        KeyFormat.Generated g = KeyFormat.generate(random);
        ApiKey key = store.insert(g.publicId(), g.secretHash(), name, userId, organizationId, expiresAt);
        cache.put(key.publicId(), Optional.of(key));
        return new Issued(key, g.token());
    }

    public boolean revoke(ApiKey key, String by, String reason) {
        boolean changed = store.revoke(key.id(), by, reason);
        cache.invalidate(key.publicId());
        return changed;
    }

    /** Drops a key from the cache so the next request reads it again (after a change to its row). */
    public void forget(ApiKey key) {
        cache.invalidate(key.publicId());
    }

    /** Checks an {@code Authorization} header value. */
    public Authentication authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return new Authentication.Denied("missing_api_key",
                    "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Authentication.Denied("invalid_api_key",
                    "The Authorization header must be 'Bearer <key>'.");
        }
        KeyFormat.Parsed parsed = KeyFormat.parse(authorization.substring(7).trim());
        if (parsed == null) {
            return new Authentication.Denied("invalid_api_key", "Incorrect API key provided.");
        }
        Optional<ApiKey> found = cache.get(parsed.publicId());
        if (found.isEmpty() || !KeyFormat.matches(parsed.secret(), found.get().secretHash())) {
            return new Authentication.Denied("invalid_api_key", "Incorrect API key provided.");
        }
        ApiKey key = found.get();
        if (key.revoked()) {
            return new Authentication.Denied("revoked_api_key",
                    "This API key (" + key.prefix() + ") has been revoked.");
        }
        if (key.expiredAt(clock.instant())) {
            return new Authentication.Denied("expired_api_key",
                    "This API key (" + key.prefix() + ") expired at " + key.expiresAt() + ".");
        }
        return new Authentication.Authenticated(key);
    }

    public Optional<ApiKey> find(String publicId) {
        return cache.get(publicId);
    }
}
