package ai.cortensor.portal.plans;

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
 * account; {@link #planChanged} makes a change effect the next request.
 */
public final class AdmissionControl {
    private final PlanStore plans;
    private final Limiter limiter;
    private final InstantSource clock;
    private final LoadingCache<AccountRef, PlanView> planCache;

    public record AccountRef(long userId, Long organizationId) {
        public String id() {
            return organizationId == null ? "u" + userId : "o" + organizationId;
        }

        public static AccountRef of(ApiKey key) {
            return new AccountRef(key.userId(), key.organizationId());
        }
    }

    /** An account's plan and the models it may use (empty set = all). */
    public record PlanView(PlanStore.Plan plan, Set<String> models) {
        public boolean entitled(String model) {
            return models.isEmpty() || models.contains(model);
        }
    }

    public AdmissionControl(PlanStore plans, Limiter limiter, InstantSource clock) {
        this.plans = plans;
        this.limiter = limiter;
        this.clock = clock;
        this.planCache = Caffeine.newBuilder().maximumSize(500_000)
                .refreshAfterWrite(Duration.ofSeconds(30)).expireAfterWrite(Duration.ofMinutes(10))
                .build(a -> {
                    PlanStore.Plan p = plans.current(a.userId(), a.organizationId())
                            .orElseGet(() -> plans.list().stream().filter(x -> x.code().equals("free")).findFirst()
                                    .orElseThrow());
                    return new PlanView(p, plans.entitledModels(p.code()));
                });
    }

    public PlanView plan(AccountRef account) {
        return planCache.get(account);
    }

    public void planChanged(AccountRef account) {
        planCache.invalidate(account);
    }

    public boolean entitled(ApiKey key, String model) {
        return plan(AccountRef.of(key)).entitled(model);
    }

    /** Account limits from the plan first (the first counter is the lock), then the key's own. */
    public List<Limit> limitsFor(ApiKey key) {
        AccountRef account = AccountRef.of(key);
        List<Limit> out = new ArrayList<>(8);
        add(out, Limit.Scope.ACCOUNT, account.id(), plan(account).plan().limits());
        add(out, Limit.Scope.KEY, Long.toString(key.id()), key.limits());
        return out;
    }

    /** The account-scope limits alone (the portal's view of an account without a particular key). */
    public List<Limit> accountLimits(AccountRef account) {
        List<Limit> out = new ArrayList<>(8);
        add(out, Limit.Scope.ACCOUNT, account.id(), plan(account).plan().limits());
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

    public List<Limiter.State> peek(List<Limit> limits) {
        return limiter.peek(limits, clock.millis());
    }
}
