package ai.cortensor.portal.plans;

import ai.cortensor.portal.changes.ChangeFeed;
import ai.cortensor.portal.changes.ChangePublisher;
import ai.cortensor.portal.keys.ApiKey;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The policy layer in front of every request: which limits apply to a key (its account's plan, plus the key's own
 * tighter limits), whether the plan includes a model, and admission against all limits at once. Plans are cached per
 * account; {@link #changePlan} changes one and tells every replica ({@code plan:<account id>}), whose feed
 * subscribers call {@link #planChanged(String)}. Entries are also refreshed in the background after
 * {@code refreshAfter}, the backstop for a change whose notice was lost.
 */
public final class AdmissionControl {
    private final PlanStore plans;
    private final Limiter limiter;
    private final InstantSource clock;
    private final ChangePublisher changes;
    private final LoadingCache<AccountRef, PlanView> planCache;

    public record AccountRef(long userId, Long organizationId) {
        public String id() {
            return organizationId == null ? "u" + userId : "o" + organizationId;
        }

        public static AccountRef of(ApiKey key) {
            return new AccountRef(key.userId(), key.organizationId());
        }

        /** Whether this is the account {@code id} names ({@code u<user id>} or {@code o<organization id>}). */
        public boolean is(String id) {
            return id().equals(id);
        }
    }

    /**
     * An account's plan, the models it may use (empty set = all), the limits an operator set for this account alone
     * ({@code overrides}) and the limits admission enforces on it ({@code limits}: the plan's, with the overrides
     * replacing theirs; computed once per cache load, not per request).
     */
    public record PlanView(PlanStore.Plan plan, Set<String> models, Map<String, Long> overrides,
                           Map<String, Long> limits) {
        public PlanView(PlanStore.Plan plan, Set<String> models, Map<String, Long> overrides) {
            this(plan, models, Map.copyOf(overrides), LimitOverrides.apply(plan.limits(), overrides));
        }

        public PlanView(PlanStore.Plan plan, Set<String> models) {
            this(plan, models, Map.of());
        }

        public boolean entitled(String model) {
            return models.isEmpty() || models.contains(model);
        }

        /** Whether the account's value of this {@code plans.limits} key was set by an operator. */
        public boolean overridden(String key) {
            return overrides.containsKey(key);
        }
    }

    public AdmissionControl(PlanStore plans, Limiter limiter, InstantSource clock) {
        this(plans, limiter, clock, ChangePublisher.NONE, Duration.ofSeconds(30));
    }

    public AdmissionControl(PlanStore plans, Limiter limiter, InstantSource clock, ChangePublisher changes,
                            Duration refreshAfter) {
        this.plans = plans;
        this.limiter = limiter;
        this.clock = clock;
        this.changes = changes;
        this.planCache = Caffeine.newBuilder().maximumSize(500_000)
                .refreshAfterWrite(refreshAfter).expireAfterWrite(Duration.ofMinutes(10))
                .build(a -> {
                    PlanStore.Plan p = plans.current(a.userId(), a.organizationId())
                            .orElseGet(() -> plans.list().stream().filter(x -> x.code().equals("free")).findFirst()
                                    .orElseThrow());
                    return new PlanView(p, plans.entitledModels(p.code()),
                            plans.overrides(a.userId(), a.organizationId()).limits());
                });
    }

    public PlanView plan(AccountRef account) {
        return planCache.get(account);
    }

    /** Every plan a customer can see, for the billing page. */
    public List<PlanStore.Plan> plans() {
        return plans.list();
    }

    /**
     * Moves an account to another plan and tells every replica; false when the plan code does not exist. The
     * organization's plan is cached once per member who used it, so every such entry goes.
     */
    public boolean changePlan(AccountRef account, String planCode) {
        if (!plans.changePlan(account.userId(), account.organizationId(), planCode)) {
            return false;
        }
        planChanged(account);
        changes.publish(ChangeFeed.PLAN, account.id());
        return true;
    }

    /** Drops this replica's cached plan of the account (every member's view of it, for an organization). */
    public void planChanged(AccountRef account) {
        planChanged(account.id());
    }

    /**
     * The same by account id ({@code u<user id>} or {@code o<organization id>}), as the change feed carries it;
     * {@code *} drops every cached plan (a plan's own limits or entitlements changed).
     */
    public void planChanged(String accountId) {
        if (accountId.isEmpty() || accountId.equals("*")) {
            forgetAllPlans(); // a plan's limits or entitlements changed: every account on it
            return;
        }
        if (accountId.startsWith("u")) {
            try {
                planCache.invalidate(new AccountRef(Long.parseLong(accountId.substring(1)), null));
            } catch (NumberFormatException e) {
                // not an account id: nothing cached under it
            }
            return;
        }
        planCache.asMap().keySet().removeIf(a -> a.is(accountId));
    }

    /** Drops every cached plan (after the change feed reconnected: changes may have been missed). */
    public void forgetAllPlans() {
        planCache.invalidateAll();
    }

    /** Account limits (the plan's, with the account's overrides) first (the first counter is the lock), then the key's own. */
    public List<Limit> limitsFor(ApiKey key) {
        AccountRef account = AccountRef.of(key);
        List<Limit> out = new ArrayList<>(8);
        add(out, Limit.Scope.ACCOUNT, account.id(), plan(account).limits());
        add(out, Limit.Scope.KEY, Long.toString(key.id()), key.limits());
        return out;
    }

    /** The account-scope limits alone (the portal's view of an account without a particular key). */
    public List<Limit> accountLimits(AccountRef account) {
        List<Limit> out = new ArrayList<>(8);
        add(out, Limit.Scope.ACCOUNT, account.id(), plan(account).limits());
        return out;
    }

    private static void add(List<Limit> out, Limit.Scope scope, String id, Map<String, Long> limits) {
        long shortWindow = Optional.ofNullable(limits.get("short_window_seconds")).orElse(300L);
        for (LimitKind kind : LimitKind.values()) {
            Long max = limits.get(kind.key());
            if (max == null) {
                continue;
            }
            Duration window = switch (kind) {
                case REQUESTS_PER_MINUTE, TOKENS_PER_MINUTE -> Duration.ofMinutes(1);
                case SHORT_WINDOW_REQUESTS -> Duration.ofSeconds(shortWindow);
                case WEEKLY_REQUESTS, WEEKLY_TOKENS -> Duration.ofDays(7);
                case CONCURRENT_REQUESTS -> Duration.ZERO;
            };
            out.add(new Limit(scope, id, kind, max, window));
        }
    }

    public Admission admit(ApiKey key, long estimatedTokens) {
        return limiter.admit(limitsFor(key), estimatedTokens, clock.millis());
    }

    /** Where the counters are and whether they answer now (what admission does while they do not). */
    public Limiter.Store limitsStore() {
        return limiter.store();
    }

    public List<Limiter.State> peek(List<Limit> limits) {
        return limiter.peek(limits, clock.millis());
    }
}
