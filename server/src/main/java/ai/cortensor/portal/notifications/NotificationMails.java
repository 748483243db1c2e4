package ai.cortensor.portal.notifications;

import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.plans.Windows;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The words of each notification. They say what happened, what it means for requests (with the error code the API
 * answers), and where to look; never an operator's name or their internal reason.
 */
final class NotificationMails {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    record Text(String subject, String body) {}

    private final Supplier<String> publicUrl;

    NotificationMails(Supplier<String> publicUrl) {
        this.publicUrl = publicUrl;
    }

    Text keyRevoked(NotificationStore.Key key, String account, Instant at) {
        return new Text("Your API key \"" + key.name() + "\" was revoked",
                "Our operators revoked the API key \"" + key.name() + "\" (" + key.prefix() + "_…) of " + account
                        + " on " + WHEN.format(at) + ".\n\n"
                        + "Requests with this key are now refused with 401 revoked_api_key. A revoked key cannot be "
                        + "turned back on; create a new one at\n\n" + publicUrl.get() + "/portal/keys\n\n"
                        + "If you did not expect this, contact support and quote the key's prefix " + key.prefix()
                        + ".\n" + footer());
    }

    Text paused(String account, Instant at) {
        return new Text("Your Cortensor Portal account is paused",
                "Our operators paused " + account + " on " + WHEN.format(at) + ".\n\n"
                        + "While it is paused, requests with its API keys are refused with 403 account_paused. "
                        + "Your keys, usage and settings are kept.\n\n"
                        + "Contact support to find out why and to resolve it.\n" + footer());
    }

    Text unpaused(String account, Instant at) {
        return new Text("Your Cortensor Portal account is active again",
                "Our operators lifted the pause on " + account + " on " + WHEN.format(at) + ".\n\n"
                        + "Its API keys work again from now on; nothing else changed.\n" + footer());
    }

    Text allowance(String account, int threshold, long used, long max, String unit, Duration resetIn) {
        String numbers = String.format(Locale.ENGLISH, "%,d of %,d %s", used, max, unit);
        if (threshold >= 100) {
            return new Text("You have used all of your weekly allowance",
                    capitalized(account) + " has used its whole weekly allowance: " + numbers + " in the last 7 days.\n\n"
                            + "Requests are refused with 429 insufficient_quota until usage older than 7 days frees "
                            + "room; the oldest counted usage frees up in " + Windows.readable(resetIn) + ".\n\n"
                            + "Usage: " + publicUrl.get() + "/portal/usage\nPlans: " + publicUrl.get()
                            + "/portal/billing\n" + footer());
        }
        return new Text("You have used " + threshold + " % of your weekly allowance",
                capitalized(account) + " has used " + numbers + " of its weekly allowance in the last 7 days ("
                        + (used * 100 / max) + " %).\n\n"
                        + "The allowance is a rolling 7-day window. At 100 %, requests are refused with 429 "
                        + "insufficient_quota until older usage frees room.\n\n"
                        + "Usage: " + publicUrl.get() + "/portal/usage\nPlans: " + publicUrl.get()
                        + "/portal/billing\n" + footer());
    }

    Text budget(String account, SpendAlerts.BudgetCrossing c, int threshold, Instant now) {
        String daily = c.period().equals("day") ? "daily" : "monthly";
        String which = c.keyId() == null ? "its " + daily + " budget of " + Money.usd(c.capMicros())
                : "the " + daily + " budget of " + Money.usd(c.capMicros()) + " on its API key \"" + c.keyName() + "\"";
        String spent = Money.usd(c.spentMicros()) + " of " + Money.usd(c.capMicros());
        String when = c.period().equals("day") ? "today (UTC)" : "this month (UTC)";
        String requests = c.keyId() == null ? "requests" : "requests with this key";
        String resets = "at " + WHEN.format(c.resetsAt()) + ", in " + Windows.readable(Duration.between(now, c.resetsAt()));
        String links = "Budgets: " + publicUrl.get() + "/portal/billing\nAlerts and webhooks: " + publicUrl.get()
                + "/portal/alerts\n";
        if (threshold >= 100) {
            return new Text(capitalized(daily) + " budget of " + Money.usd(c.capMicros()) + " reached"
                    + (c.keyId() == null ? "" : " on API key \"" + c.keyName() + "\""),
                    capitalized(account) + " has reached " + which + ": " + spent + " spent " + when + ".\n\n"
                            + "Until the budget resets " + resets + ", " + requests + " that could cost more than "
                            + "what is left are refused with 402 budget_exceeded. Raise or remove the budget to "
                            + "continue sooner.\n\n" + links + footer());
        }
        return new Text("You have spent " + threshold + " % of your " + daily + " budget"
                + (c.keyId() == null ? "" : " on API key \"" + c.keyName() + "\"") + " (" + spent + ")",
                capitalized(account) + " has spent " + Money.usd(c.spentMicros()) + " " + when + ": "
                        + (c.spentMicros() * 100 / c.capMicros()) + " % of " + which + ".\n\n"
                        + "When the budget is reached, " + requests + " are refused with 402 budget_exceeded until it "
                        + "resets " + resets + ".\n\n" + links + footer());
    }

    Text creditsLow(String account, long balanceMicros, long thresholdMicros) {
        return new Text("Your prepaid credits are below " + Money.usd(thresholdMicros),
                capitalized(account) + " has " + Money.usd(balanceMicros) + " of prepaid credits left, less than the "
                        + Money.usd(thresholdMicros) + " you asked us to warn you about.\n\n"
                        + "When the credits run out, requests are refused with 402 insufficient_credits. To add credits, "
                        + "contact support (or your operator).\n\n"
                        + "We tell you once; after credits are added above " + Money.usd(thresholdMicros)
                        + ", the next fall below it is mailed again. Change the threshold: " + publicUrl.get()
                        + "/portal/alerts\n" + footer());
    }

    private String footer() {
        return "\n--\nCortensor Portal. You get this mail because it concerns an account you own; the notifications we "
                + "sent you are listed on your profile: " + publicUrl.get() + "/portal/profile\n";
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
