package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.plans.Windows;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/** How the console writes durations, rates, states and stored JSON (times and numbers: the portal's Format). */
public final class ConsoleFormat {
    private static final Set<String> GOOD = Set.of("active", "live", "healthy", "completed", "enabled");
    private static final Set<String> BAD = Set.of("revoked", "paused", "disabled", "ejected", "failed", "blocked",
            "expired", "account_paused", "draining");
    /** One-line JSON with a space after each comma and colon. */
    private static final ObjectWriter SPACED = Json.MAPPER.writer(new MinimalPrettyPrinter() {
        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    });

    private ConsoleFormat() {}

    /** "in 42 s", "in 3 min 12 s", "in 6 d 23 h" ({@link Windows#readable}); "—" when nothing resets. */
    public static String resetsIn(Long seconds) {
        return seconds == null ? "—" : "in " + Windows.readable(Duration.ofSeconds(seconds));
    }

    /** A limit key as a person reads it: "Requests per minute". */
    public static String limitLabel(String key) {
        return switch (key) {
            case "rpm" -> "Requests per minute";
            case "tpm" -> "Tokens per minute";
            case "short_window_requests" -> "Requests per short window";
            case "short_window_seconds" -> "Short window (seconds)";
            case "weekly_requests" -> "Requests per week";
            case "weekly_tokens" -> "Tokens per week";
            case "max_concurrent" -> "Concurrent requests";
            default -> key;
        };
    }

    /** Limit overrides as one line: "rpm 100, weekly_tokens 5,000,000". */
    public static String limits(java.util.Map<String, Long> limits) {
        java.util.List<String> out = new java.util.ArrayList<>();
        limits.forEach((k, v) -> out.add(k + " " + ai.cortensor.portal.portal.Format.number(v)));
        return String.join(", ", out);
    }

    public static String percent(double rate) {
        return String.format(Locale.ENGLISH, "%.1f%%", rate * 100);
    }

    /** The pill style of a state: on (fine), off (stopped or refused) or plain. */
    public static String pill(String state) {
        return state == null ? "pill" : GOOD.contains(state) ? "pill on" : BAD.contains(state) ? "pill bad" : "pill";
    }

    /**
     * Stored JSON (an audit entry's before/after) as one line with a space after each comma and colon, so a narrow
     * column wraps it between fields rather than inside a value; empty for none.
     */
    public static String json(JsonNode node) {
        if (node == null || node.isNull()) {
            return "";
        }
        try {
            return SPACED.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write stored JSON", e);
        }
    }
}
