package ai.cortensor.portal.accounts;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether an account is paused, since when and why: the facts the gateway's {@code account_paused} decision is
 * made of (a key's row carries its account's state; this reads the same columns for an account without a key).
 * An account is a user's personal account or an organization; an organization's state alone governs it.
 */
public final class AccountStates {
    private final AccountStore store;

    /** {@code since} is null for a pause made before the product recorded it; {@code reason} is the operator's. */
    public record Pause(Instant since, String reason) {}

    public AccountStates(AccountStore store) {
        this.store = store;
    }

    /** The organization's pause when {@code organizationId} is set, else the user's personal account's. */
    public Optional<Pause> pause(long userId, Long organizationId) {
        return store.pause(userId, organizationId);
    }
}
