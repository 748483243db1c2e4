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
     * An audit entry's change as people read it: money in USD for grants, adjustments and payments
     * ({@code balance $0.00 → $25.00 (+$25.00, ledger entry 41)}), for prices (per million tokens) and for budgets;
     * other actions as their stored JSON, {@code before → after}.
     */
    public static String change(String action, JsonNode before, JsonNode after) {
        if (action != null && action.startsWith("billing.") && after != null && after.has("amount_micros")) {
            long amount = after.path("amount_micros").asLong();
            return "balance " + (before != null && before.has("balance_micros")
                    ? ai.cortensor.portal.billing.Money.usd(before.path("balance_micros").asLong()) + " → " : "")
                    + ai.cortensor.portal.billing.Money.usd(after.path("balance_micros").asLong()) + " ("
                    + (amount > 0 ? "+" : "") + ai.cortensor.portal.billing.Money.usd(amount)
                    + (after.has("ledger_entry") ? ", ledger entry " + after.path("ledger_entry").asText() : "") + ")";
        }
        if ("model.prices".equals(action) && before != null && after != null) {
            StringBuilder b = new StringBuilder("per million tokens: ");
            String[][] fields = {{"input_price", "input"}, {"output_price", "output"}, {"reasoning_price", "reasoning"}};
            for (int i = 0; i < fields.length; i++) {
                String was = price(before.get(fields[i][0]));
                String now = price(after.get(fields[i][0]));
                b.append(i == 0 ? "" : "; ").append(fields[i][1]).append(' ')
                        .append(was.equals(now) ? now : was + " → " + now);
            }
            return b.toString();
        }
        if (action != null && action.startsWith("budget.")) {
            return budget(before) + " → " + budget(after);
        }
        String b = json(before);
        String a = json(after);
        return b.isEmpty() && a.isEmpty() ? "" : b + " → " + a;
    }

    private static String price(JsonNode micros) {
        return micros == null || micros.isNull() ? "as output" : ai.cortensor.portal.billing.Money.usd(micros.asLong());
    }

    private static String budget(JsonNode b) {
        return b == null || b.isNull() ? "none" : b.path("period").asText() + " cap "
                + ai.cortensor.portal.billing.Money.usd(b.path("cap_micros").asLong());
    }

    /** The headline of a refusal operators read first ("Out of credits", "Budget reached"), or null. */
    public static String headline(String code) {
        return ai.cortensor.portal.admin.AccountInsight.headline(code);
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
