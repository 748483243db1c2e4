package ai.cortensor.portal.plans;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.changes.ChangeFeed;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code plans}, {@code plan_subscriptions} and {@code account_limit_overrides}. */
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

    /** An account's limit overrides (empty when it has none), who set them last, when and why. */
    public record Overrides(Map<String, Long> limits, Instant updatedAt, String updatedBy, String reason) {
        static final Overrides NONE = new Overrides(Map.of(), null, null, null);
    }

    public Overrides overrides(long userId, Long organizationId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM account_limit_overrides WHERE "
                        + (organizationId == null ? "user_id = :id" : "organization_id = :id"))
                .bind("id", organizationId == null ? userId : organizationId)
                .map((rs, ctx) -> new Overrides(new TreeMap<>(limits(rs.getString("limits"))),
                        rs.getTimestamp("updated_at").toInstant(),
                        rs.getString("updated_by"), rs.getString("reason")))
                .findOne().orElse(Overrides.NONE));
    }

    /** What a change did: the value before and after (plan codes, or the overrides as sorted maps). */
    public record Change<T>(boolean changed, T before, T after) {}

    /**
     * Moves an account to another plan; audited ({@code account.plan}) and announced ({@code plan:<account>}) in the
     * same transaction. Empty when the plan code does not exist; unchanged (nothing written) when the account already
     * is on it. An account with no subscription row is on {@code free}.
     */
    public Optional<Change<String>> changePlan(AdmissionControl.AccountRef account, String planCode, Actor actor,
                                              String reason) {
        return jdbi.inTransaction(h -> {
            var planId = h.createQuery("SELECT id FROM plans WHERE code = :c").bind("c", planCode).mapTo(Long.class)
                    .findOne();
            if (planId.isEmpty()) {
                return Optional.empty();
            }
            lockAccount(h, account);
            String before = h.createQuery("SELECT p.code FROM plan_subscriptions s JOIN plans p ON p.id = s.plan_id "
                            + "WHERE s.ended_at IS NULL AND " + owner(account, "s."))
                    .bind("id", ownerId(account)).mapTo(String.class).findOne().orElse("free");
            if (before.equals(planCode)) {
                return Optional.of(new Change<>(false, before, before));
            }
            h.createUpdate("UPDATE plan_subscriptions SET ended_at = now() WHERE ended_at IS NULL AND "
                    + owner(account, "")).bind("id", ownerId(account)).execute();
            h.createUpdate("INSERT INTO plan_subscriptions (plan_id, user_id, organization_id) VALUES (:p, :u, :o)")
                    .bind("p", planId.get()).bind("u", account.organizationId() == null ? account.userId() : null)
                    .bind("o", account.organizationId()).execute();
            AuditLog.append(h, actor, "account.plan", targetType(account), account.id(), Map.of("plan", before),
                    Map.of("plan", planCode), reason);
            ChangeFeed.publishOnCommit(h, ChangeFeed.PLAN, account.id());
            return Optional.of(new Change<>(true, before, planCode));
        });
    }

    /**
     * Sets ({@code value}) or removes ({@code null}) an account's limit overrides, key by key; keys not named keep
     * theirs. Audited ({@code account.limits}, the whole override set before and after) and announced
     * ({@code plan:<account>}) in the same transaction; unchanged (nothing written) when nothing differs.
     * {@code changes} must already be valid ({@link LimitOverrides#validate}).
     */
    public Change<Map<String, Long>> setOverrides(AdmissionControl.AccountRef account, Map<String, Long> changes,
                                                  Actor actor, String reason) {
        return jdbi.inTransaction(h -> {
            lockAccount(h, account);
            Map<String, Long> before = h.createQuery("SELECT limits FROM account_limit_overrides WHERE "
                            + owner(account, "")).bind("id", ownerId(account))
                    .map((rs, ctx) -> limits(rs.getString("limits"))).findOne().orElse(Map.of());
            TreeMap<String, Long> after = new TreeMap<>(before);
            changes.forEach((k, v) -> {
                if (v == null) {
                    after.remove(k);
                } else {
                    after.put(k, v);
                }
            });
            Map<String, Long> was = new TreeMap<>(before);
            if (after.equals(was)) {
                return new Change<>(false, was, was);
            }
            h.createUpdate("DELETE FROM account_limit_overrides WHERE " + owner(account, "")).bind("id", ownerId(account))
                    .execute();
            if (!after.isEmpty()) {
                h.createUpdate("""
                        INSERT INTO account_limit_overrides (user_id, organization_id, limits, updated_by, reason)
                        VALUES (:u, :o, CAST(:l AS jsonb), :by, :r)""")
                        .bind("u", account.organizationId() == null ? account.userId() : null)
                        .bind("o", account.organizationId()).bind("l", json(after)).bind("by", actor.name())
                        .bind("r", reason).execute();
            }
            AuditLog.append(h, actor, "account.limits", targetType(account), account.id(), Map.of("limits", was),
                    Map.of("limits", after), reason);
            ChangeFeed.publishOnCommit(h, ChangeFeed.PLAN, account.id());
            return new Change<>(true, was, java.util.Collections.unmodifiableSortedMap(after));
        });
    }

    /** Serializes changes to one account's plan and overrides (two operators at once: one waits for the other). */
    private static void lockAccount(Handle h, AdmissionControl.AccountRef account) {
        h.createQuery("SELECT true FROM pg_advisory_xact_lock(hashtext(:k))").bind("k", "plan:" + account.id())
                .mapTo(Boolean.class).one();
    }

    private static String owner(AdmissionControl.AccountRef account, String alias) {
        return account.organizationId() == null ? alias + "user_id = :id AND " + alias + "organization_id IS NULL"
                : alias + "organization_id = :id";
    }

    private static long ownerId(AdmissionControl.AccountRef account) {
        return account.organizationId() == null ? account.userId() : account.organizationId();
    }

    private static String targetType(AdmissionControl.AccountRef account) {
        return account.organizationId() == null ? "user" : "organization";
    }

    private static Map<String, Long> limits(String json) {
        try {
            return Json.MAPPER.readValue(json, LIMITS);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable limits " + json, e);
        }
    }

    private static String json(Map<String, Long> limits) {
        try {
            return Json.MAPPER.writeValueAsString(limits);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
