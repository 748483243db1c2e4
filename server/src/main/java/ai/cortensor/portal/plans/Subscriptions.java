package ai.cortensor.portal.plans;

import org.jdbi.v3.core.Handle;

/** Plan subscriptions as other features may start them: inside their own transaction, with this feature's SQL. */
public final class Subscriptions {
    private Subscriptions() {}

    /** A new account starts on the free plan: called inside the transaction that creates the user or organization. */
    public static void startOnFree(Handle h, Long userId, Long organizationId) {
        h.createUpdate("INSERT INTO plan_subscriptions (plan_id, user_id, organization_id) "
                        + "SELECT id, :u, :o FROM plans WHERE code = 'free'")
                .bind("u", userId).bind("o", organizationId).execute();
    }
}
