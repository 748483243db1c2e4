package ai.cortensor.portal.notifications;

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

    private String footer() {
        return "\n--\nCortensor Portal. You get this mail because it concerns an account you own; the notifications we "
                + "sent you are listed on your profile: " + publicUrl.get() + "/portal/profile\n";
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
