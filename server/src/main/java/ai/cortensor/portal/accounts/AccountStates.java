package ai.cortensor.portal.accounts;

import ai.cortensor.portal.plans.AccountPauses;
import java.util.Optional;

/**
 * Whether an account is paused, since when and why: the facts the gateway's {@code account_paused} decision is
 * made of (a key's row carries its account's state; this reads the same columns for an account without a key).
 * An account is a user's personal account or an organization; an organization's state alone governs it.
 */
public final class AccountStates implements AccountPauses {
    private final AccountStore store;

    public AccountStates(AccountStore store) {
        this.store = store;
    }

    @Override
    public Optional<Pause> pause(long userId, Long organizationId) {
        return store.pause(userId, organizationId);
    }
}
