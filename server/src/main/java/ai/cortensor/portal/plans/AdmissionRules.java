package ai.cortensor.portal.plans;

import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.billing.Hold;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Model;
import ai.cortensor.portal.pools.Pool;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules a request is admitted by, for every scope — key, account (user or organization), plan, model, pool,
 * limits, money (credits and budgets) — each answering with {@link Refusal} values. The gateway applies them in this order and answers the first
 * refusal; {@link WhyBlocked} (the customer's status, the operators' "why is this blocked?") lists every refusal in
 * the same order. Both read the same facts: the key's row (its state, expiry and its account's state), the account's
 * state, the plan and its counters, the catalog's model and pool states. No other code decides these.
 */
public final class AdmissionRules {
    private final AdmissionControl admission;
    private final Catalog catalog;
    private final AccountPauses accounts;
    private final Billing billing;
    private final InstantSource clock;

    public AdmissionRules(AdmissionControl admission, Catalog catalog, AccountPauses accounts, Billing billing,
                          InstantSource clock) {
        this.admission = admission;
        this.catalog = catalog;
        this.accounts = accounts;
        this.billing = billing;
        this.clock = clock;
    }

    /** What the rules say of a model for an account: servable on {@code route}, or refused. */
    public sealed interface ModelDecision {
        /** The model may be used and {@code route} (its accepting pools, in order) has a router that can take it. */
        record Servable(Model model, List<Pool> route) implements ModelDecision {}

        record Refused(Refusal refusal) implements ModelDecision {}
    }

    // ---- key and account ------------------------------------------------------------------------------------

    /**
     * The key's own standing and its account's, from the key's row as the gateway holds it: revoked, expired, the
     * account paused. Empty when the key may be used. The pause's time and reason are not read here (hot path).
     */
    public Optional<Refusal> key(ApiKey key) {
        if (key.revoked()) {
            return Optional.of(new Refusal.KeyRevoked(key.prefix()));
        }
        if (key.expiredAt(clock.instant())) {
            return Optional.of(new Refusal.KeyExpired(key.prefix(), key.expiresAt()));
        }
        if (key.accountPaused()) {
            return Optional.of(new Refusal.AccountPaused(key.organizationId() != null, null, null));
        }
        return Optional.empty();
    }

    /** Every key-level refusal, the pause with its time and the operator's reason (for people, not the hot path). */
    List<Refusal> keyRefusals(ApiKey key) {
        List<Refusal> out = new ArrayList<>(2);
        if (key.revoked()) {
            out.add(new Refusal.KeyRevoked(key.prefix()));
        }
        if (key.expiredAt(clock.instant())) {
            out.add(new Refusal.KeyExpired(key.prefix(), key.expiresAt()));
        }
        if (key.accountPaused()) {
            out.add(paused(AdmissionControl.AccountRef.of(key)));
        }
        return out;
    }

    /** The account's pause (a user's personal account, or an organization), read from the account's row. */
    public Optional<Refusal.AccountPaused> account(AdmissionControl.AccountRef account) {
        return accounts.pause(account.userId(), account.organizationId())
                .map(p -> new Refusal.AccountPaused(account.organizationId() != null, p.since(), p.reason()));
    }

    private Refusal.AccountPaused paused(AdmissionControl.AccountRef account) {
        return account(account).orElseGet(() -> new Refusal.AccountPaused(account.organizationId() != null, null, null));
    }

    // ---- model and pools ------------------------------------------------------------------------------------

    /**
     * The model as the catalog has it, before the request is looked at further: unknown ({@code model_not_found}),
     * disabled ({@code model_disabled}) or paused ({@code model_unavailable}) by an operator; else the model.
     */
    public ModelLookup lookup(String alias) {
        Optional<Model> found = catalog.find(alias);
        if (found.isEmpty()) {
            return new ModelLookup(null, new Refusal.ModelNotFound(alias));
        }
        Model m = found.get();
        if (m.disabled()) {
            return new ModelLookup(m, new Refusal.ModelDisabled(alias));
        }
        if (m.paused()) {
            return new ModelLookup(m, new Refusal.ModelPaused(alias));
        }
        return new ModelLookup(m, null);
    }

    /** A model found in the catalog (null if not) and the refusal its state implies (null when it is enabled). */
    public record ModelLookup(Model model, Refusal refusal) {}

    /**
     * After the lookup and the request's own checks: whether the account's plan includes the model
     * ({@code model_not_entitled}), then whether any of its pools can take a request now ({@code model_unavailable}).
     */
    public ModelDecision serve(Model model, AdmissionControl.AccountRef account) {
        AdmissionControl.PlanView plan = admission.plan(account);
        if (!plan.entitled(model.alias())) {
            return new ModelDecision.Refused(new Refusal.ModelNotEntitled(model.alias(), plan.plan().name()));
        }
        List<Pool> route = catalog.route(model);
        if (route.stream().noneMatch(Pool::routable)) {
            return new ModelDecision.Refused(unavailable(model));
        }
        return new ModelDecision.Servable(model, route);
    }

    /** {@code model_unavailable}, naming the state of each of the model's pools. */
    public Refusal.ModelUnavailable unavailable(Model model) {
        Map<String, String> states = new LinkedHashMap<>();
        for (String name : model.pools()) {
            states.put(name, catalog.pool(name).map(p -> p.members().isEmpty() ? "without routers" : p.effectiveState())
                    .orElse("missing"));
        }
        return new Refusal.ModelUnavailable(model.alias(), states);
    }

    /** Every model-level refusal for an account, in the gateway's order (at most one: the first decides). */
    List<Refusal> modelRefusals(String alias, AdmissionControl.AccountRef account) {
        ModelLookup found = lookup(alias);
        if (found.refusal() != null) {
            return List.of(found.refusal());
        }
        return switch (serve(found.model(), account)) {
            case ModelDecision.Refused r -> List.of(r.refusal());
            case ModelDecision.Servable s -> List.of();
        };
    }

    // ---- limits ---------------------------------------------------------------------------------------------

    /** Admission against every limit of the key and its account: reserves, or says which limit refused. */
    public Admission admit(ApiKey key, long estimatedTokens) {
        return admission.admit(key, estimatedTokens);
    }

    /** The refusal a rejected admission means. */
    public static Refusal.LimitReached refusal(Admission.Rejected r) {
        return new Refusal.LimitReached(r.limit(), r.used(), r.retryAfter());
    }

    /**
     * Every limit without room for one more request (any tokens, once a token limit is full), read without
     * taking anything; {@code limits_unavailable} when the counters cannot be read and the policy is to refuse.
     */
    List<Refusal> limitRefusals(List<Limit> limits) {
        Limiter.Store store = admission.limitsStore();
        if (!store.up() && "closed".equals(store.failurePolicy())) {
            return List.of(new Refusal.LimitsUnavailable()); // what admit() throws while the counters are away
        }
        List<Limiter.State> states;
        try {
            states = admission.peek(limits);
        } catch (LimitsUnavailable e) {
            return List.of(new Refusal.LimitsUnavailable());
        }
        List<Refusal> out = new ArrayList<>();
        for (Limiter.State s : states) {
            if (s.exhausted(1)) {
                out.add(new Refusal.LimitReached(s.limit(), s.used(), s.resetIn()));
            }
        }
        return out;
    }

    /** The account's plan and the models it includes (the gateway reads whether it is prepaid). */
    public AdmissionControl.PlanView plan(AdmissionControl.AccountRef account) {
        return admission.plan(account);
    }

    // ---- money -----------------------------------------------------------------------------------------------

    /**
     * Holds an admitted request's worst-case cost against the account's prepaid credits (on a prepaid plan) and its
     * and the key's budgets; {@link Hold.None} when neither applies. Throws when billing cannot be read.
     */
    public Hold hold(String requestId, ApiKey key, long worstCaseMicros) {
        AdmissionControl.AccountRef account = AdmissionControl.AccountRef.of(key);
        return billing.hold(requestId, account.id(), key.id(), admission.plan(account).plan().prepaid(),
                worstCaseMicros);
    }

    /** The refusal a refused hold means. */
    public Refusal refusal(Hold.Refused r) {
        return r.budget() == null ? new Refusal.InsufficientCredits(r.availableMicros(), r.neededMicros())
                : new Refusal.BudgetExceeded(r.budget(), r.availableMicros(), r.neededMicros(), r.resetsAt(),
                        clock.instant());
    }

    /**
     * The money refusals of the account (and the key, when {@code keyId} is not null) before any request: credits
     * with nothing available on a prepaid plan, budgets with nothing left ({@code billing_unavailable} when they
     * cannot be read).
     */
    List<Refusal> moneyRefusals(AdmissionControl.AccountRef account, Long keyId) {
        List<Refusal> out = new ArrayList<>(1);
        try {
            if (admission.plan(account).plan().prepaid()) {
                long available = billing.balance(account.id()).availableMicros();
                if (available <= 0) {
                    out.add(new Refusal.InsufficientCredits(Math.max(0, available), null));
                }
            }
            for (Billing.BudgetState b : billing.budgets(account.id(), keyId)) {
                if (b.remainingMicros() <= 0) {
                    out.add(new Refusal.BudgetExceeded(b.budget(), 0, null, b.resetsAt(), clock.instant()));
                }
            }
        } catch (RuntimeException e) {
            return List.of(new Refusal.BillingUnavailable());
        }
        return out;
    }

    AdmissionControl admission() {
        return admission;
    }
}
