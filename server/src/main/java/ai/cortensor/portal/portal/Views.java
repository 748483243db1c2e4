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
                           List<ai.cortensor.portal.plans.WhyBlocked.Reason> blocked, Spend spend) {}

    /**
     * This calendar month (UTC) so far: served requests and tokens, what they cost as charged (micro-USD, each at
     * the prices in force when it was admitted), and the plan's monthly price (cents).
     */
    public record Spend(String since, long requests, long tokens, long usageMicros, String planName,
                        long planMonthlyCents) {}

    /** {@code revealed} is the full token right after creation, shown once; null otherwise. */
    public record Keys(List<KeyStore.Listing> keys, String revealed, String revealedName, String error,
                       String baseUrl) {}

    public record Usage(List<UsageReports.Day> days, List<UsageReports.Row> recent, UsageReports.Totals totals,
                        List<KeyStore.Listing> keys, List<String> models, Long keyId, String model, int rangeDays,
                        String chartJson, String csvHref) {}

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
