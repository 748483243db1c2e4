package ai.cortensor.portal.plans;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an operator may override on one account: the keys of {@code plans.limits} — every {@link LimitKind} and
 * {@code short_window_seconds} — each a whole number in its range, or null to remove the override (the plan's
 * value applies again).
 */
public final class LimitOverrides {
    public static final String SHORT_WINDOW_SECONDS = "short_window_seconds";
    /** Every key, in the order pages and the CLI show them. */
    public static final List<String> KEYS;
    /** Larger than any real limit, small enough to stay exact everywhere (Lua numbers in Redis are doubles). */
    static final long MAX_VALUE = 1_000_000_000_000L;
    static final long MAX_SHORT_WINDOW_SECONDS = 86_400;

    static {
        List<String> keys = new ArrayList<>();
        for (LimitKind k : LimitKind.values()) {
            keys.add(k.key());
            if (k == LimitKind.SHORT_WINDOW_REQUESTS) {
                keys.add(SHORT_WINDOW_SECONDS);
            }
        }
        KEYS = List.copyOf(keys);
    }

    private LimitOverrides() {}

    /** A change the caller asked for that cannot be made; the message names the key and says what is allowed. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message, null);
        }
    }

    /**
     * The changes in {@link #KEYS} order, after checking every key and value; throws {@link Invalid} naming the
     * first unknown key or value out of range, and for an empty change.
     */
    public static Map<String, Long> validate(Map<String, Long> changes) {
        if (changes == null || changes.isEmpty()) {
            throw new Invalid("Name at least one limit to set or remove: " + String.join(", ", KEYS) + ".");
        }
        for (String k : changes.keySet()) {
            if (!KEYS.contains(k)) {
                throw new Invalid("Unknown limit '" + k + "'; the limits are " + String.join(", ", KEYS) + ".");
            }
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (String k : KEYS) {
            if (!changes.containsKey(k)) {
                continue;
            }
            Long v = changes.get(k);
            long max = k.equals(SHORT_WINDOW_SECONDS) ? MAX_SHORT_WINDOW_SECONDS : MAX_VALUE;
            if (v != null && (v < 1 || v > max)) {
                throw new Invalid(k + " must be a whole number from 1 to " + max + " (or null to remove it).");
            }
            out.put(k, v);
        }
        return out;
    }

    /** The plan's limits with the account's overrides on top. */
    public static Map<String, Long> apply(Map<String, Long> plan, Map<String, Long> overrides) {
        if (overrides.isEmpty()) {
            return plan;
        }
        Map<String, Long> out = new LinkedHashMap<>(plan);
        out.putAll(overrides);
        return Map.copyOf(out);
    }
}
