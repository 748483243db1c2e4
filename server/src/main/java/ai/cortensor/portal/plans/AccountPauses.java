package ai.cortensor.portal.plans;

import java.time.Instant;
import java.util.Optional;

/**
 * Where the admission rules read whether an account is paused, since when and why, for an account without a key
 * in hand (a key's row carries its account's state already). The accounts feature owns those facts and answers.
 */
public interface AccountPauses {
    /** {@code since} is null for a pause made before the product recorded it; {@code reason} is the operator's. */
    record Pause(Instant since, String reason) {}

    /** The organization's pause when {@code organizationId} is set, else the user's personal account's. */
    Optional<Pause> pause(long userId, Long organizationId);
}
