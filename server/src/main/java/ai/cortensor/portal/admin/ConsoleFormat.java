package ai.cortensor.portal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;

/** How the console writes durations, rates, states and stored JSON (times and numbers: the portal's Format). */
public final class ConsoleFormat {
    private static final Set<String> GOOD = Set.of("active", "live", "healthy", "completed", "enabled");
    private static final Set<String> BAD = Set.of("revoked", "paused", "disabled", "ejected", "failed", "blocked",
            "expired", "account_paused", "draining");

    private ConsoleFormat() {}

    /** "in 42 s", "in 3 min", "in 2 h 5 min"; "—" when nothing resets. */
    public static String resetsIn(Long seconds) {
        if (seconds == null) {
            return "—";
        }
        if (seconds < 60) {
            return "in " + seconds + " s";
        }
        if (seconds < 3600) {
            return "in " + (seconds / 60) + " min";
        }
        if (seconds < 86_400) {
            return "in " + (seconds / 3600) + " h " + (seconds % 3600 / 60) + " min";
        }
        return "in " + (seconds / 86_400) + " d " + (seconds % 86_400 / 3600) + " h";
    }

    public static String percent(double rate) {
        return String.format(Locale.ENGLISH, "%.1f%%", rate * 100);
    }

    /** The pill style of a state: on (fine), off (stopped or refused) or plain. */
    public static String pill(String state) {
        return state == null ? "pill" : GOOD.contains(state) ? "pill on" : BAD.contains(state) ? "pill bad" : "pill";
    }

    /** Stored JSON (an audit entry's before/after) as one short line; empty for none. */
    public static String json(JsonNode node) {
        return node == null || node.isNull() ? "" : node.toString();
    }
}
