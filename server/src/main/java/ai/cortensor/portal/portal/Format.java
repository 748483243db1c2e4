package ai.cortensor.portal.portal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the portal writes times and numbers (UTC, plain English). */
public final class Format {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("d MMM HH:mm:ss 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private Format() {}

    public static String date(Instant i) {
        return i == null ? "" : DATE.format(i);
    }

    public static String time(Instant i) {
        return i == null ? "" : TIME.format(i);
    }

    public static String ago(Instant i) {
        long s = Math.max(0, Duration.between(i, Instant.now()).toSeconds());
        if (s < 60) {
            return "just now";
        }
        if (s < 3600) {
            return (s / 60) + " min ago";
        }
        if (s < 86_400) {
            return (s / 3600) + " h ago";
        }
        return date(i);
    }

    public static String number(long n) {
        return String.format(Locale.ENGLISH, "%,d", n);
    }

    public static String tokens(Integer prompt, Integer completion) {
        return prompt == null && completion == null ? "—" : number((prompt == null ? 0 : prompt) + (completion == null ? 0 : completion));
    }
}
