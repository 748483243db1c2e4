package ai.cortensor.portal.plans;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code plans} and {@code plan_subscriptions}. */
public final class PlanStore {
    private static final TypeReference<LinkedHashMap<String, Long>> LIMITS = new TypeReference<>() {};
    private final Jdbi jdbi;

    public PlanStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A plan as data. {@code limits} keys: {@code rpm}, {@code tpm}, {@code short_window_requests},
     * {@code short_window_seconds}, {@code weekly_requests}, {@code weekly_tokens}, {@code max_concurrent};
     * a missing key means no such limit.
     */
    /** {@code prepaid}: requests are admitted against the account's credits (billing holds their worst-case cost). */
    public record Plan(String code, String name, String description, long monthlyPriceCents, Map<String, Long> limits,
                       boolean prepaid) {
        public Long limit(String key) {
            return limits.get(key);
        }
    }

    public List<Plan> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM plans ORDER BY position, id")
                .map((rs, ctx) -> plan(rs)).list());
    }

    /** The current plan of a personal account ({@code organizationId} null) or of an organization. */
    public Optional<Plan> current(long userId, Long organizationId) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT p.* FROM plan_subscriptions s JOIN plans p ON p.id = s.plan_id
                WHERE s.ended_at IS NULL AND (CASE WHEN CAST(:org AS BIGINT) IS NULL
                      THEN s.user_id = :u ELSE s.organization_id = :org END)""")
                .bind("u", userId).bind("org", organizationId).map((rs, ctx) -> plan(rs)).findOne());
    }

    /** Model aliases the plan may use; empty means every enabled model. */
    public java.util.Set<String> entitledModels(String planCode) {
        return java.util.Set.copyOf(jdbi.withHandle(h -> h.createQuery("""
                SELECT m.model_alias FROM model_access_policies m JOIN plans p ON p.id = m.plan_id WHERE p.code = :c""")
                .bind("c", planCode).mapTo(String.class).list()));
    }

    /** Moves an account to another plan from now on; false when the plan code does not exist. */
    public boolean changePlan(long userId, Long organizationId, String planCode) {
        return jdbi.inTransaction(h -> {
            var planId = h.createQuery("SELECT id FROM plans WHERE code = :c").bind("c", planCode).mapTo(Long.class).findOne();
            if (planId.isEmpty()) {
                return false;
            }
            h.createUpdate("""
                    UPDATE plan_subscriptions SET ended_at = now() WHERE ended_at IS NULL AND (CASE WHEN CAST(:org AS BIGINT)
                    IS NULL THEN user_id = :u ELSE organization_id = :org END)""").bind("u", userId).bind("org", organizationId).execute();
            h.createUpdate("INSERT INTO plan_subscriptions (plan_id, user_id, organization_id) VALUES (:p, :u, :o)")
                    .bind("p", planId.get()).bind("u", organizationId == null ? userId : null).bind("o", organizationId)
                    .execute();
            return true;
        });
    }

    private static Plan plan(java.sql.ResultSet rs) throws java.sql.SQLException {
        try {
            Map<String, Long> limits = Json.MAPPER.readValue(rs.getString("limits"), LIMITS);
            return new Plan(rs.getString("code"), rs.getString("name"), rs.getString("description"),
                    rs.getLong("monthly_price_cents"), limits, rs.getBoolean("prepaid"));
        } catch (IOException e) {
            throw new UncheckedIOException("plan " + rs.getString("code") + " has unreadable limits", e);
        }
    }
}
