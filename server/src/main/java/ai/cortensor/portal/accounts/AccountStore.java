package ai.cortensor.portal.accounts;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code users} and {@code organizations}. */
public final class AccountStore {
    private final Jdbi jdbi;

    public AccountStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The user's id, creating the user (with the free plan) when the email is new. */
    public long ensureUser(String email, String displayName) {
        return jdbi.inTransaction(h -> {
            Optional<Long> existing = h.createQuery("SELECT id FROM users WHERE lower(email) = lower(:e)")
                    .bind("e", email).mapTo(Long.class).findOne();
            if (existing.isPresent()) {
                return existing.get();
            }
            long id = h.createQuery("INSERT INTO users (email, display_name) VALUES (:e, :n) RETURNING id")
                    .bind("e", email).bind("n", displayName).mapTo(Long.class).one();
            h.createUpdate("INSERT INTO plan_subscriptions (plan_id, user_id) "
                    + "SELECT id, :u FROM plans WHERE code = 'free'").bind("u", id).execute();
            return id;
        });
    }
}
