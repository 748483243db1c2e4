package ai.cortensor.portal.plans;

import java.time.Duration;

/** Durations as people and OpenAI's rate-limit headers write them. */
public final class Windows {
    private Windows() {}

    /** "5 minutes", "1 week". */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 604_800 == 0) {
            return plural(s / 604_800, "week");
        }
        if (s % 86_400 == 0) {
            return plural(s / 86_400, "day");
        }
        if (s % 3600 == 0) {
            return plural(s / 3600, "hour");
        }
        if (s % 60 == 0) {
            return plural(s / 60, "minute");
        }
        return plural(s, "second");
    }

    private static String plural(long n, String unit) {
        return n == 1 ? "1 " + unit : n + " " + unit + "s";
    }

    /** OpenAI's header form: {@code 12ms}, {@code 1s}, {@code 6m0s}, {@code 1h2m3s}. */
    public static String header(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = (ms + 999) / 1000;
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        if (h > 0) {
            return h + "h" + m + "m" + sec + "s";
        }
        return m > 0 ? m + "m" + sec + "s" : sec + "s";
    }
}
