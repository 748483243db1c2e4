package ai.cortensor.portal.plans;

import java.time.Duration;

/**
 * Durations as people and OpenAI's rate-limit headers write them. Every page, message and error that tells a person
 * how long something takes or when it resets uses {@link #readable}; only the {@code x-ratelimit-reset-*} headers use
 * {@link #header}.
 */
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

    /**
     * How long until something happens, in its two largest units: "6 d 23 h", "2 h 5 min", "3 min 12 s", "42 s"
     * ("1 s" for less than a second; a zero second unit is left out: "2 h", "3 min"). Below a minute it rounds up, so
     * a wait is never shown shorter than it is; above, it rounds down within the smaller unit.
     */
    public static String readable(Duration d) {
        long ms = Math.max(0, d.toMillis());
        long s = ms < 60_000 ? (ms + 999) / 1000 : ms / 1000;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return units(s / 60, "min", s % 60, "s");
        }
        if (s < 86_400) {
            return units(s / 3600, "h", s % 3600 / 60, "min");
        }
        return units(s / 86_400, "d", s % 86_400 / 3600, "h");
    }

    private static String units(long big, String bigUnit, long small, String smallUnit) {
        return small == 0 ? big + " " + bigUnit : big + " " + bigUnit + " " + small + " " + smallUnit;
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
