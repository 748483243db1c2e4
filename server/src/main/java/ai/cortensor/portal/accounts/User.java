package ai.cortensor.portal.accounts;

import java.time.Instant;

/** A person who signs in. {@code passwordHash} is null for users who only sign in through an identity provider. */
public record User(long id, String email, String displayName, boolean emailVerified, String state,
                   Instant createdAt, String passwordHash) {

    public boolean paused() {
        return "paused".equals(state);
    }
}
