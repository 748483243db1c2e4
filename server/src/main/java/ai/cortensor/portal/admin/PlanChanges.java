package ai.cortensor.portal.admin;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.plans.AccountPlans;
import ai.cortensor.portal.plans.LimitOverrides;
import ai.cortensor.portal.plans.PlanStore;
import java.util.List;
import java.util.Map;

/**
 * Operators move a customer to another plan and set per-account limit overrides (issue 14): admin only, a reason
 * required, audited ({@code account.plan}, {@code account.limits}) and announced to every replica in the change's
 * transaction (see {@link AccountPlans}). Admission, the "why blocked" answers, the customer's pages and the
 * rate-limit headers follow on every replica's next request.
 */
public final class PlanChanges {
    private final AccountPlans plans;
    private final Operations ops;

    PlanChanges(AccountPlans plans, Operations ops) {
        this.plans = plans;
        this.ops = ops;
    }

    /** A plan as operators pick it: code, name, monthly price and its limits. */
    public List<PlanStore.Plan> plans() {
        return plans.plans();
    }

    /** The account's overrides with who set them last, when and why (empty limits when it has none). */
    public PlanStore.Overrides overrides(String account) {
        return plans.overrides(ops.existing(account).ref());
    }

    /** The plan before and after, as the audit entry records it. */
    public record PlanChange(String account, String before, String after) {}

    public Operations.Done<PlanChange> changePlan(String account, String plan, String reason, Actor actor) {
        Operations.allow(actor, "account.plan");
        String why = Operations.reason(reason);
        AccountId a = ops.existing(account);
        if (plan == null || plan.isBlank()) {
            throw ActionRefused.invalid("missing_plan", "Name the plan: " + codes() + ".");
        }
        var change = plans.changePlan(a.ref(), plan.strip(), actor, why)
                .orElseThrow(() -> ActionRefused.invalid("invalid_plan", "There is no plan '" + plan.strip()
                        + "'; the plans are " + codes() + "."));
        return new Operations.Done<>(change.changed(), new PlanChange(a.toString(), change.before(), change.after()));
    }

    /** The overrides before and after (only the keys set; the plan's values apply to the others). */
    public record LimitsChange(String account, Map<String, Long> before, Map<String, Long> after) {}

    /** Sets ({@code value}) or removes ({@code null}) overrides key by key; keys not named keep theirs. */
    public Operations.Done<LimitsChange> setLimits(String account, Map<String, Long> changes, String reason,
                                                   Actor actor) {
        Operations.allow(actor, "account.limits");
        String why = Operations.reason(reason);
        AccountId a = ops.existing(account);
        try {
            var change = plans.setOverrides(a.ref(), changes, actor, why);
            return new Operations.Done<>(change.changed(), new LimitsChange(a.toString(), change.before(),
                    change.after()));
        } catch (LimitOverrides.Invalid e) {
            throw ActionRefused.invalid("invalid_limits", e.getMessage());
        }
    }

    private String codes() {
        return String.join(", ", plans.plans().stream().map(PlanStore.Plan::code).toList());
    }
}
