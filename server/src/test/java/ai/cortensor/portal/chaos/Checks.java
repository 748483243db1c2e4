package ai.cortensor.portal.chaos;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.SoftAssertions;

/** The chaos scenarios' shared checks, summary line and waiting. */
final class Checks {
    private Checks() {}

    /** Every served response metered exactly once with the client's tokens; every request logged; nothing refused billed. */
    static SoftAssertions ledgerAssertions(Ledger.Verdict v) {
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(v.responses()).as("responses received").isPositive();
        soft.assertThat(v.lost()).as("served responses without a usage event: %s", v.examples()).isZero();
        soft.assertThat(v.duplicated()).as("usage events or request logs beyond one per request").isZero();
        soft.assertThat(v.unlogged()).as("requests without a request log: %s", v.examples()).isZero();
        soft.assertThat(v.billedUnserved()).as("refused requests that were billed: %s", v.examples()).isZero();
        soft.assertThat(v.mismatched()).as("usage events whose tokens differ from the client's answer").isEmpty();
        return soft;
    }

    /** Soft-asserts that no call matches {@code bad}, showing how many did and the first few. */
    static void none(SoftAssertions soft, List<Call> calls, java.util.function.Predicate<Call> bad, String what) {
        List<Call> found = calls.stream().filter(bad).toList();
        soft.assertThat(found.size()).as("%s (first: %s)", what, found.stream().limit(5).toList()).isZero();
    }

    static String line(String name, LoadDriver load, String faults, Ledger.Verdict v, String outcome) {
        return String.format(Locale.ROOT, "chaos %s: load=%d clients 30%% streams, faults=%s, responses=%,d, lost=%d, "
                + "duplicated=%d, %s", name, load.clients(), faults, v.responses(), v.lost(), v.duplicated(), outcome);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** When the first request that started after {@code t} succeeded (its end). */
    static long firstSuccessAfter(List<Call> calls, long t) {
        return calls.stream().filter(c -> c.startNanos() > t && c.succeeded()).mapToLong(Call::endNanos).min()
                .orElse(t);
    }

    static double percentile(List<Call> calls, double p) {
        double[] s = calls.stream().mapToDouble(Call::seconds).sorted().toArray();
        return s.length == 0 ? 0 : s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)];
    }

    /** Whether a request's attempts (request_logs.attempts) include {@code target} ending with {@code outcome}. */
    static boolean tried(String attemptsJson, String target, String outcome) {
        try {
            for (JsonNode a : Json.MAPPER.readTree(attemptsJson == null ? "[]" : attemptsJson)) {
                if (target.equals(a.path("target").asText()) && outcome.equals(a.path("outcome").asText())) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            throw new AssertionError("attempts are not JSON: " + attemptsJson, e);
        }
    }

    static String health(GatewayProcess g) {
        String h = g.get("/health");
        return h == null ? "" : h;
    }

    /** A gauge's value from {@code /metrics}, or null when the gateway does not expose it. */
    static Double gauge(GatewayProcess g, String name) {
        String m = g.get("/metrics");
        if (m == null) {
            return null;
        }
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$").matcher(m);
        return x.find() ? Double.valueOf(x.group(2)) : null;
    }

    /** Polls every 100 ms until {@code condition} holds; false when {@code max} passed first. */
    static boolean poll(Duration max, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    /** Keeps a fault in place until {@code length} after {@code since} (the fault's duration is the scenario's). */
    static void hold(long since, Duration length) throws InterruptedException {
        long left = since + length.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }
}
