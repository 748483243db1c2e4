package ai.cortensor.portal.plans;

import ai.cortensor.portal.audit.Actor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Operators' changes to one account's plan and limits (issue 14): move it to another plan, set or remove its limit
 * overrides. Each change is audited and announced ({@code plan:<account>}) in its own transaction, so every
 * replica's admission, "why blocked" answer and rate-limit headers follow; this replica drops its cached plan at once.
 * The caller checks who may do it and that the account exists.
 */
public final class AccountPlans {
    private final PlanStore store;
    private final AdmissionControl admission;

    public AccountPlans(PlanStore store, AdmissionControl admission) {
        this.store = store;
        this.admission = admission;
    }

    /** Every plan, in the order the billing page lists them. */
    public List<PlanStore.Plan> plans() {
        return store.list();
    }

    public PlanStore.Overrides overrides(AdmissionControl.AccountRef account) {
        return store.overrides(account.userId(), account.organizationId());
    }

    /** Empty when there is no plan with that code. */
    public Optional<PlanStore.Change<String>> changePlan(AdmissionControl.AccountRef account, String planCode,
                                                        Actor actor, String reason) {
        Optional<PlanStore.Change<String>> c = store.changePlan(account, planCode, actor, reason);
        c.filter(PlanStore.Change::changed).ifPresent(x -> admission.planChanged(account));
        return c;
    }

    /**
     * Sets ({@code value}) or removes ({@code null}) overrides key by key; throws {@link LimitOverrides.Invalid} for an
     * unknown key, a value out of range or an empty change.
     */
    public PlanStore.Change<Map<String, Long>> setOverrides(AdmissionControl.AccountRef account,
                                                           Map<String, Long> changes, Actor actor, String reason) {
        PlanStore.Change<Map<String, Long>> c = store.setOverrides(account, LimitOverrides.validate(changes), actor,
                reason);
        if (c.changed()) {
            admission.planChanged(account);
        }
        return c;
    }
}
