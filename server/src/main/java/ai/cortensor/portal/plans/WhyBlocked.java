package ai.cortensor.portal.plans;

import ai.cortensor.portal.keys.ApiKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * "Why is this blocked?": for a key or an account (and optionally a model), every reason the next request would be
 * refused, in the order the gateway applies its rules — so the first reason is the error a request gets. The
 * reasons are {@link AdmissionRules}' own refusals, read from the same facts the gateway reads; the customer's
 * status ({@code /portal/api/status}, the overview) and the operators' ({@code /admin/api/…/status}, the console)
 * both come from here. Empty means nothing blocks.
 */
public final class WhyBlocked {
    private final AdmissionRules rules;

    public WhyBlocked(AdmissionRules rules) {
        this.rules = rules;
    }

    /**
     * One reason: the error code the gateway answers for it, its scope ({@code user}, {@code organization},
     * {@code key}, {@code plan}, {@code model}, {@code pool}, {@code limits}, {@code billing}), a message, and when
     * waiting helps,
     * how long ({@code resetsIn}; null otherwise).
     */
    public record Reason(String code, String scope, String message, Duration resetsIn, Refusal refusal) {
        static Reason of(Refusal r) {
            return new Reason(r.code(), r.scope().name().toLowerCase(java.util.Locale.ROOT), r.message(),
                    r.retryAfter(), r);
        }
    }

    /** What a request with this key (for {@code model}, when given) would meet. */
    public List<Reason> forKey(ApiKey key, String model) {
        List<Refusal> out = new ArrayList<>(rules.keyRefusals(key));
        AdmissionControl.AccountRef account = AdmissionControl.AccountRef.of(key);
        if (model != null) {
            out.addAll(rules.modelRefusals(model, account));
        }
        out.addAll(rules.limitRefusals(rules.admission().limitsFor(key)));
        out.addAll(rules.moneyRefusals(account, key.id()));
        return reasons(out);
    }

    /**
     * What a request with any key of this account (for {@code model}, when given) would meet: the account's pause,
     * the model, the plan's limits, its credits and budgets. A key's own state, limits and budgets are
     * {@link #forKey}'s.
     */
    public List<Reason> forAccount(AdmissionControl.AccountRef account, String model) {
        List<Refusal> out = new ArrayList<>();
        rules.account(account).ifPresent(out::add);
        if (model != null) {
            out.addAll(rules.modelRefusals(model, account));
        }
        out.addAll(rules.limitRefusals(rules.admission().accountLimits(account)));
        out.addAll(rules.moneyRefusals(account, null));
        return reasons(out);
    }

    /**
     * The model-level answer alone for an account (unknown, disabled, paused, not in the plan, no capacity), or
     * empty when the model would be served: what the customer's Models page shows per model.
     */
    public java.util.Optional<Reason> forModel(AdmissionControl.AccountRef account, String model) {
        return rules.modelRefusals(model, account).stream().findFirst().map(Reason::of);
    }

    /** Whether the account is paused (the gateway's {@code account_paused}), since when and why. */
    public java.util.Optional<Refusal.AccountPaused> paused(AdmissionControl.AccountRef account) {
        return rules.account(account);
    }

    private static List<Reason> reasons(List<Refusal> refusals) {
        return refusals.stream().map(Reason::of).toList();
    }
}
