package ai.cortensor.portal.admin;

import ai.cortensor.portal.admin.DirectoryStore.KeyRecord;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.Limit;
import ai.cortensor.portal.plans.Limiter;
import ai.cortensor.portal.plans.WhyBlocked;
import ai.cortensor.portal.usage.UsageReports;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * "Why is this blocked?" for operators: the account's plan, every limit with its counter, the reasons the next
 * request would be refused (the same {@link WhyBlocked} answer the gateway and the customer see) and recent usage.
 */
public final class AccountInsight {
    private final AdmissionControl admission;
    private final WhyBlocked whyBlocked;
    private final UsageReports usage;
    private final InstantSource clock;

    public AccountInsight(AdmissionControl admission, WhyBlocked whyBlocked, UsageReports usage, InstantSource clock) {
        this.admission = admission;
        this.whyBlocked = whyBlocked;
        this.usage = usage;
        this.clock = clock;
    }

    /**
     * One limit now: scope ({@code account}/{@code key}), kind ({@code rpm}, {@code weekly_tokens}, …), used of max,
     * and where its maximum comes from: {@code plan}, {@code override} (set for this account by an operator) or
     * {@code key} (the key's own limits).
     */
    public record LimitState(String scope, String kind, String description, long max, long used,
                             Long resetsInSeconds, String source) {}

    /**
     * A reason the next request is refused, with the error code the gateway answers and its scope (user,
     * organization, key, plan, model, pool, limits); the first is the error a request gets.
     */
    public record Reason(String code, String scope, String message, Long resetsInSeconds) {}

    /** Served requests and tokens (from usage events) over the last day and week. */
    public record Usage(long requests24h, long tokens24h, long requests7d, long tokens7d) {}

    /** {@code limitOverrides}: the limits an operator set for this account, replacing the plan's. */
    public record AccountStatus(String account, String state, String plan, String planName,
                                java.util.Map<String, Long> limitOverrides, boolean blocked, List<Reason> reasons,
                                List<LimitState> limits, Usage usage) {}

    public record KeyStatus(KeyRecord key, String plan, boolean blocked, List<Reason> reasons, List<LimitState> limits,
                            Usage usage) {}

    AccountStatus account(AccountId a, boolean paused, String model) {
        AdmissionControl.AccountRef ref = a.ref();
        var view = admission.plan(ref);
        var plan = view.plan();
        List<Reason> reasons = reasons(whyBlocked.forAccount(ref, model));
        return new AccountStatus(a.toString(), paused ? "paused" : "active", plan.code(), plan.name(),
                new java.util.TreeMap<>(view.overrides()), !reasons.isEmpty(), reasons,
                limits(admission.accountLimits(ref), view),
                usage(new UsageReports.Scope(ref.userId(), ref.organizationId(), null, null)));
    }

    KeyStatus key(KeyRecord record, ApiKey key, String model) {
        var ref = AdmissionControl.AccountRef.of(key);
        List<Reason> reasons = reasons(whyBlocked.forKey(key, model));
        var view = admission.plan(ref);
        return new KeyStatus(record, view.plan().code(), !reasons.isEmpty(), reasons,
                limits(admission.limitsFor(key), view),
                usage(new UsageReports.Scope(key.userId(), key.organizationId(), key.id(), null)));
    }

    private List<LimitState> limits(List<Limit> limits, AdmissionControl.PlanView view) {
        return admission.peek(limits).stream().map(s -> limit(s, view)).toList();
    }

    private static LimitState limit(Limiter.State s, AdmissionControl.PlanView view) {
        Limit l = s.limit();
        String source = l.scope() == Limit.Scope.KEY ? "key"
                : view.overridden(l.kind().key()) || (l.kind() == ai.cortensor.portal.plans.LimitKind.SHORT_WINDOW_REQUESTS
                        && view.overridden(ai.cortensor.portal.plans.LimitOverrides.SHORT_WINDOW_SECONDS))
                ? "override" : "plan";
        return new LimitState(l.scope().name().toLowerCase(java.util.Locale.ROOT), l.kind().key(), l.describe(),
                l.max(), s.used(), seconds(s.resetIn()), source);
    }

    private static List<Reason> reasons(List<WhyBlocked.Reason> reasons) {
        return reasons.stream().map(r -> new Reason(r.code(), r.scope(), r.message(), seconds(r.resetsIn()))).toList();
    }

    private Usage usage(UsageReports.Scope scope) {
        var now = clock.instant();
        var both = usage.totals(scope, now.minus(Duration.ofDays(7)), now.minus(Duration.ofDays(1)));
        var week = both.get(0);
        var day = both.get(1);
        return new Usage(day.requests(), day.tokens(), week.requests(), week.tokens());
    }

    /**
     * The few words operators read first for a money refusal — "Out of credits", "Budget reached" — or null for the
     * other codes (their message says it).
     */
    public static String headline(String code) {
        return switch (code) {
            case "insufficient_credits" -> "Out of credits";
            case "budget_exceeded" -> "Budget reached";
            case "billing_unavailable" -> "Credits and budgets cannot be read";
            default -> null;
        };
    }

    private static Long seconds(Duration d) {
        return d == null ? null : Math.max(0, d.toSeconds());
    }
}
