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
                           List<ai.cortensor.portal.plans.WhyBlocked.Reason> blocked, Spending money) {}

    /**
     * The overview's money: this UTC month's spend (always) and, when {@code credits} (prepaid or ever funded), the
     * credits available and held by requests in flight; {@code low} when the available credits are under the alert
     * threshold the account set.
     */
    public record Spending(String monthSpend, String monthName, boolean credits, String available, String held,
                        boolean low, String lowThreshold, int budgets) {}

    /**
     * {@code revealed} is the full token right after creation, shown once; null otherwise. {@code budgets}: each
     * key's spend caps ("$5.00 / day"), by key id.
     */
    public record Keys(List<KeyStore.Listing> keys, String revealed, String revealedName, String error,
                       String baseUrl, java.util.Map<Long, String> budgets) {}

    public record Usage(List<UsageReports.Day> days, List<UsageReports.Row> recent, UsageReports.Totals totals,
                        List<KeyStore.Listing> keys, List<String> models, Long keyId, String model, int rangeDays,
                        String chartJson, String csvHref, Spend spend, String exportFrom, String exportTo,
                        String exportKey, String exportHref) {}

    /** Spend in the usage page's range: total, chart (HTML), one row per model or key, one per day and series. */
    public record Spend(String by, String total, String chartHtml, List<SpendSeries> series, List<SpendDay> days) {}

    public record SpendSeries(String name, int colour, long requests, long tokens, String cost, String share) {}

    public record SpendDay(String day, String name, long requests, long tokens, String cost) {}

    /**
     * The budgets page: the budgets with their spend, the active keys a budget can be set on, the credits (when
     * shown) and the low-credit alert; {@code error} names the field it is about ({@code errorField}).
     */
    public record Budgets(boolean owner, String accountName, List<BudgetRow> budgets, List<KeyStore.Listing> keys,
                          boolean credits, String balance, String held, String available, String lowThreshold,
                          String error, String errorField, String formKey, String formPeriod, String formAmount,
                          String formThreshold) {}

    /** One budget as the page shows it; {@code keyId} empty for the account's own, {@code percent} of the cap used. */
    public record BudgetRow(String id, String appliesTo, String keyId, String period, String periodLabel, String cap,
                            String spent, String held, String remaining, String resets, int percent) {}

    public record ModelRow(String id, String name, String description, int contextLength, int maxOutputTokens,
                           boolean available) {}

    public record Quickstart(String baseUrl, String model, boolean hasKeys) {}

    public record Profile(String email, boolean verified, boolean hasPassword, List<SessionRow> sessions,
                          long currentSessionId, String error,
                          List<ai.cortensor.portal.notifications.Notifications.Sent> notifications) {}

    public record SessionRow(long id, String device, String address, String lastSeen, boolean current) {}

    public record Billing(PlanStore.Plan current, List<PlanStore.Plan> plans) {}

    /** {@code me}: the signed-in user; {@code lastOwner}: they are the organization's only owner (cannot leave). */
    public record Team(boolean personal, boolean owner, String name, long me, boolean lastOwner,
                       List<ai.cortensor.portal.accounts.OrganizationStore.Member> members,
                       List<ai.cortensor.portal.accounts.OrganizationStore.Invite> invites, String error) {}
}
