package ai.cortensor.portal.keys;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.changes.ChangeFeed;
import ai.cortensor.portal.changes.ChangePublisher;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/**
 * Issues and verifies API keys. Verification reads a Caffeine cache keyed by public id (misses, including unknown
 * ids, are cached too), so a request does no database read in steady state. The cache follows changes through the
 * {@link ChangeFeed}: a change made here is published ({@code key:<public id>}), and the feed's subscribers call
 * {@link #forget(String)}, {@link #forgetAccount} or {@link #forgetAll} on every replica. Entries are also
 * refreshed in the background after {@code refreshAfter}, the backstop for a change whose notice was lost.
 */
public final class ApiKeys {
    private final KeyStore store;
    private final SecureRandom random;
    private final InstantSource clock;
    private final ChangePublisher changes;
    private final LoadingCache<String, Optional<ApiKey>> cache;

    /** For one-shot commands: no other replica is told of changes. */
    public ApiKeys(KeyStore store, SecureRandom random, InstantSource clock) {
        this(store, random, clock, ChangePublisher.NONE, Duration.ofSeconds(30));
    }

    public ApiKeys(KeyStore store, SecureRandom random, InstantSource clock, ChangePublisher changes,
                   Duration refreshAfter) {
        this.store = store;
        this.random = random;
        this.clock = clock;
        this.changes = changes;
        this.cache = Caffeine.newBuilder()
                .maximumSize(200_000)
                .refreshAfterWrite(refreshAfter)
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

    /** Revokes the key everywhere (audited, announced to every replica) and drops it from this replica's cache now. */
    public boolean revoke(ApiKey key, Actor actor, String reason) {
        boolean changed = store.revoke(key.id(), actor, reason);
        cache.invalidate(key.publicId());
        return changed;
    }

    /** Revokes every active personal key of a user (audited, announced to every replica). */
    public int revokePersonal(long userId, Actor actor, String reason) {
        var revoked = store.revokePersonal(userId, actor, reason);
        revoked.forEach(cache::invalidate);
        return revoked.size();
    }

    /** The keys of an account as its owners see them (never secrets), newest first. */
    public java.util.List<KeyStore.Listing> listForAccount(long userId, Long organizationId) {
        return store.listForAccount(userId, organizationId);
    }

    /** The active keys one member created for an organization (offered for revoking when the member goes). */
    public java.util.List<KeyStore.Listing> activeCreatedBy(long organizationId, long userId) {
        return store.activeCreatedBy(organizationId, userId);
    }

    public Optional<KeyStore.Listing> findForAccount(long id, long userId, Long organizationId) {
        return store.findForAccount(id, userId, organizationId);
    }

    /** A new key with its own limits (keys of plans.limits), enforced on top of the account's plan. */
    public Issued issue(String name, long userId, Long organizationId, Instant expiresAt, Map<String, Long> limits) {
        Issued issued = issue(name, userId, organizationId, expiresAt);
        if (limits != null && !limits.isEmpty()) {
            try {
                store.setLimits(issued.key().id(), limits);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            changed(issued.key()); // its limits are part of the cached key, on every replica
        }
        return issued;
    }

    /** After a committed change to a key's row: drops it here and tells every other replica to do the same. */
    public void changed(ApiKey key) {
        cache.invalidate(key.publicId());
        changes.publish(ChangeFeed.KEY, key.publicId());
    }

    /** Drops a key from this replica's cache so its next request reads it again. */
    public void forget(ApiKey key) {
        forget(key.publicId());
    }

    /** Drops a key from this replica's cache by public id (a {@code key:<public id>} change). */
    public void forget(String publicId) {
        cache.invalidate(publicId);
    }

    /**
     * Drops every cached key of an account ({@code u<user id>} or {@code o<organization id>}, as
     * {@code AccountRef.id()}) from this replica's cache, e.g. after the account was paused. A user's id also
     * drops the organization keys that user created. Scans the cache: account changes are rare.
     */
    public void forgetAccount(String accountId) {
        if (accountId == null || accountId.length() < 2) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(accountId.substring(1));
        } catch (NumberFormatException e) {
            return;
        }
        char kind = accountId.charAt(0);
        cache.asMap().values().removeIf(k -> k.isPresent() && switch (kind) {
            case 'u' -> k.get().userId() == id;
            case 'o' -> k.get().organizationId() != null && k.get().organizationId() == id;
            default -> false;
        });
    }

    /** Drops the whole cache (after the change feed reconnected: changes may have been missed). */
    public void forgetAll() {
        cache.invalidateAll();
    }

    /**
     * Who an {@code Authorization} header value names: the stored key whose secret it carries, or why not (no key,
     * not a bearer key, unknown id or wrong secret). Whether that key may be used now — revoked, expired, its
     * account paused — is not decided here but by {@code plans.AdmissionRules}, the one place for those rules.
     */
    public Authentication identify(String authorization) {
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
        return new Authentication.Authenticated(found.get());
    }

    public Optional<ApiKey> find(String publicId) {
        return cache.get(publicId);
    }
}
