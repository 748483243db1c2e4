package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.Account;
import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.KeyStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keys as a customer manages them, always within the account they act for (another account's key is simply not
 * found). Every create and revoke is audited. The pages and {@code /portal/api} both use this.
 */
final class CustomerKeys {
    static final String PLAYGROUND = "Playground";
    static final java.util.Set<String> KEY_LIMITS = java.util.Set.of("rpm", "tpm", "short_window_requests",
            "short_window_seconds", "weekly_requests", "weekly_tokens", "max_concurrent");
    private final ApiKeys keys;
    private final AuditLog audit;
    private final InstantSource clock;

    CustomerKeys(ApiKeys keys, AuditLog audit, InstantSource clock) {
        this.keys = keys;
        this.audit = audit;
        this.clock = clock;
    }

    List<KeyStore.Listing> list(Account a) {
        return keys.listForAccount(a.userId(), a.organizationId());
    }

    Optional<KeyStore.Listing> find(Account a, String id) {
        try {
            return keys.findForAccount(Long.parseLong(id), a.userId(), a.organizationId());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A key of the account by id, as the gateway holds it (with its state, expiry and its account's state). */
    Optional<ApiKey> apiKey(Account a, String id) {
        return find(a, id).flatMap(listing -> keys.find(listing.prefix().substring(5)));
    }

    ApiKeys.Issued create(Sessions.Current c, String name, Integer expiresInDays, String clientAddr) {
        return create(c, name, expiresInDays, null, clientAddr);
    }

    /** {@code limits}: the key's own limits (keys of plans.limits), enforced on top of the account's plan. */
    ApiKeys.Issued create(Sessions.Current c, String name, Integer expiresInDays, Map<String, Long> limits,
                          String clientAddr) {
        if (limits != null) {
            for (var e : limits.entrySet()) {
                if (!KEY_LIMITS.contains(e.getKey()) || e.getValue() == null || e.getValue() < 1) {
                    throw new FormError("limits", "Key limits take positive whole numbers for " + KEY_LIMITS + ".");
                }
            }
        }
        String n = name == null ? "" : name.strip();
        if (n.isEmpty() || n.length() > 80) {
            throw new FormError("name", "Give the key a name of 1 to 80 characters, e.g. where it will be used.");
        }
        if (expiresInDays != null && (expiresInDays < 1 || expiresInDays > 3650)) {
            throw new FormError("expires", "The expiry must be between 1 and 3650 days.");
        }
        var expires = expiresInDays == null ? null : clock.instant().plus(Duration.ofDays(expiresInDays));
        ApiKeys.Issued issued = keys.issue(n, c.user().id(), c.account().organizationId(), expires, limits);
        audit.append(new AuditLog.Event(c.user().email(), "customer", "api_key.create", "api_key",
                Long.toString(issued.key().id()), null, Map.of("name", n, "prefix", issued.key().prefix(),
                "account", accountLabel(c.account())), null, null, clientAddr));
        return issued;
    }

    boolean revoke(Sessions.Current c, String id, String clientAddr) {
        Optional<KeyStore.Listing> listing = find(c.account(), id);
        if (listing.isEmpty()) {
            return false;
        }
        Optional<ApiKey> key = keys.find(listing.get().prefix().substring(5));
        if (key.isEmpty()) {
            return false;
        }
        keys.revoke(key.get(), new Actor(c.user().email(), "customer", null, clientAddr), "revoked by the customer");
        return true;
    }

    /** The active keys {@code userId} created for the organization {@code org} acts for (none for a personal account). */
    List<KeyStore.Listing> activeCreatedBy(Account org, long userId) {
        return org.personal() ? List.of() : keys.activeCreatedBy(org.organizationId(), userId);
    }

    /** Revokes each of those keys (audited like any revoke); returns how many were revoked. */
    int revokeCreatedBy(Account org, long userId, Actor actor, String reason) {
        int n = 0;
        for (KeyStore.Listing k : activeCreatedBy(org, userId)) {
            Optional<ApiKey> key = keys.find(k.prefix().substring(5));
            if (key.isPresent() && keys.revoke(key.get(), actor, reason)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The account's playground key, created on first use (and audited like any key the customer creates, as their
     * action); its secret is never known to anyone.
     */
    ApiKey playgroundKey(Sessions.Current c, String clientAddr) {
        for (KeyStore.Listing k : list(c.account())) {
            if (PLAYGROUND.equals(k.name()) && "active".equals(k.state())) {
                return keys.find(k.prefix().substring(5)).orElseThrow();
            }
        }
        ApiKey key = keys.issue(PLAYGROUND, c.user().id(), c.account().organizationId(), null).key();
        audit.append(new AuditLog.Event(c.user().email(), "customer", "api_key.create", "api_key",
                Long.toString(key.id()), null, Map.of("name", PLAYGROUND, "prefix", key.prefix(),
                "account", accountLabel(c.account())), "created for the playground on its first use", null,
                clientAddr));
        return key;
    }

    private static String accountLabel(Account a) {
        return a.personal() ? "user:" + a.userId() : "organization:" + a.organizationId();
    }
}
