package ai.cortensor.portal.portal;

import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.plans.PlanStore;
import ai.cortensor.portal.usage.UsageReports;
import java.util.List;

/** The data behind each portal page (one record per page); templates only format it. */
public final class Views {
    private Views() {}

    public record Overview(String planName, long tokensUsed, Long tokenAllowance, int percent, boolean nearLimit,
                           boolean atLimit, String resetText, long requestsThisWeek, Long requestAllowance,
                           boolean hasKeys, boolean hasRequests,
                           List<ai.cortensor.portal.plans.WhyBlocked.Reason> blocked, Spend spend, Credits credits) {}

    /**
     * This calendar month (UTC) so far: served requests and tokens, what they cost as charged (micro-USD, each at
     * the prices in force when it was admitted), and the plan's monthly price (cents).
     */
    public record Spend(String since, long requests, long tokens, long usageMicros, String planName,
                        long planMonthlyCents) {}

    /**
     * The overview's credits, {@code shown} when the account is prepaid or was ever funded: available and held by
     * requests in flight; {@code low} when the available credits are under the alert threshold the account set;
     * {@code budgets}: how many spend caps the account and its keys have. The low-credit alert is for prepaid
     * accounts (set on the alerts page).
     */
    public record Credits(boolean shown, boolean prepaid, String available, String held, boolean low,
                          String lowThreshold, int budgets) {}

    /**
     * {@code revealed} is the full token right after creation, shown once; null otherwise. {@code budgets}: each
     * key's spend caps ("$5.00 / day"), by key id.
     */
    public record Keys(List<KeyStore.Listing> keys, String revealed, String revealedName, String error,
                       String baseUrl, java.util.Map<Long, String> budgets) {}

    public record Usage(List<UsageReports.Day> days, List<UsageReports.Row> recent, UsageReports.Totals totals,
                        List<KeyStore.Listing> keys, List<String> models, Long keyId, String model, int rangeDays,
                        String chartJson, String csvHref, SpendByDay spend, String exportFrom, String exportTo,
                        String exportKey, String exportHref) {}

    /** Spend in the usage page's range: total, chart (HTML), one row per model or key, one per day and series. */
    public record SpendByDay(String by, String total, String chartHtml, List<SpendSeries> series,
                             List<SpendDay> days) {}

    public record SpendSeries(String name, int colour, long requests, long tokens, String cost, String share) {}

    public record SpendDay(String day, String name, long requests, long tokens, String cost) {}

    /**
     * The budgets page: the budgets with their spend, the active keys a budget can be set on, the credits (when
     * shown) and the low-credit alert threshold (set on the alerts page); {@code error} names the field it is about
     * ({@code errorField}).
     */
    public record Budgets(boolean owner, String accountName, List<BudgetRow> budgets, List<KeyStore.Listing> keys,
                          boolean credits, String balance, String held, String available, String lowThreshold,
                          String error, String errorField, String formKey, String formPeriod, String formAmount) {}

    /** One budget as the page shows it; {@code keyId} empty for the account's own, {@code percent} of the cap used. */
    public record BudgetRow(String id, String appliesTo, String keyId, String period, String periodLabel, String cap,
                            String spent, String held, String remaining, String resets, int percent) {}

    /**
     * {@code state}: available, unavailable (paused or no capacity: {@code 503 model_unavailable}), not_in_plan
     * ({@code 403 model_not_entitled}) or disabled ({@code 404 model_disabled}); {@code code} and {@code note} are
     * the error a request would get, null when available.
     */
    /** A catalog model for the Models page; prices are micro-USD per million tokens ({@code reasoning} null: none). */
    public record ModelRow(String id, String name, String description, int contextLength, int maxOutputTokens,
                           String state, String code, String note, ai.cortensor.portal.pools.Prices prices) {
        public boolean available() {
            return "available".equals(state);
        }

        /** A price per million tokens as people read it: "$0.06"; micro-USD per million tokens is micro-USD per 1M. */
        public static String perMillion(long microsPerMillion) {
            return ai.cortensor.portal.billing.Money.usd(microsPerMillion);
        }
    }

    public record Quickstart(String baseUrl, String model, boolean hasKeys) {}

    public record Profile(String email, boolean verified, boolean hasPassword, List<SessionRow> sessions,
                          long currentSessionId, String error,
                          List<ai.cortensor.portal.notifications.Notifications.Sent> notifications) {}

    public record SessionRow(long id, String device, String address, String lastSeen, boolean current) {}

    /**
     * {@code limits}: what the gateway enforces on the account now, each with its use; {@code custom} when an operator
     * set it for this account instead of the plan's value.
     */
    public record Billing(PlanStore.Plan current, List<PlanStore.Plan> plans, List<AccountLimit> limits) {}

    public record AccountLimit(String kind, String description, long used, long max, String resets, boolean custom) {}

    /**
     * The alerts page. {@code owner}: may change them; {@code balance}/{@code threshold}: USD text ({@code threshold}
     * empty when off); {@code secret}: the webhook's signing secret right after it was made, shown once, else null.
     */
    public record Alerts(boolean owner, boolean prepaid, String balance, String threshold, List<BudgetLine> budgets,
                         ai.cortensor.portal.notifications.Webhooks.Endpoint webhook, String secret, String error,
                         List<ai.cortensor.portal.notifications.Webhooks.LogEntry> log, int maxAttempts) {}

    /** A budget on the alerts page: on what, per what, its cap, spent so far and when it resets (USD, UTC). */
    public record BudgetLine(String scope, String period, String cap, String spent, int percent, String resets) {}

    /** {@code me}: the signed-in user; {@code lastOwner}: they are the organization's only owner (cannot leave). */
    public record Team(boolean personal, boolean owner, String name, long me, boolean lastOwner,
                       List<ai.cortensor.portal.accounts.OrganizationStore.Member> members,
                       List<ai.cortensor.portal.accounts.OrganizationStore.Invite> invites, String error) {}
}
