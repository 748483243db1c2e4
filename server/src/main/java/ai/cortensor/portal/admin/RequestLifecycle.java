package ai.cortensor.portal.admin;

import ai.cortensor.portal.admin.InspectionStore.RequestRow;
import ai.cortensor.portal.admin.InspectionStore.UsageEvent;
import ai.cortensor.portal.billing.LedgerEntry;
import ai.cortensor.portal.billing.Money;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One request from start to end, as its request-log row, usage event and ledger entry tell it: accepted, then
 * blocked (why) or forwarded (pool, target, attempts), then how it ended, whether its usage event was recorded, what
 * it cost at which prices, and the ledger entry that charged it ({@code charge}; null when nothing was charged).
 */
public record RequestLifecycle(RequestRow request, List<Stage> stages, UsageEvent usageEvent, LedgerEntry charge) {

    /**
     * {@code stage}: accepted, blocked, forwarded, completed, failed, cancelled, usage_recorded, charged,
     * usage_missing.
     */
    public record Stage(String stage, Instant at, String detail) {}

    static RequestLifecycle of(RequestRow r, UsageEvent usage, LedgerEntry charge) {
        List<Stage> stages = new ArrayList<>();
        stages.add(new Stage("accepted", r.acceptedAt(), "POST " + r.route() + (r.model() == null ? "" : " model " + r.model())
                + (r.apiKeyId() == null ? " (no valid key)" : " key " + r.apiKeyId() + " account " + r.account())
                + (r.stream() ? " streaming" : "")));
        Instant end = r.acceptedAt().plusMillis(r.latencyMs());
        if ("blocked".equals(r.status())) {
            stages.add(new Stage("blocked", end, (r.blockReason() == null ? r.errorCode() : r.blockReason())
                    + " (HTTP " + r.httpStatus() + ")"));
            return new RequestLifecycle(r, List.copyOf(stages), usage, charge);
        }
        if (r.forwardedAt() != null || r.pool() != null) {
            int attempts = r.attempts() == null ? 0 : r.attempts().size();
            StringBuilder tries = new StringBuilder();
            if (attempts > 1) { // which routers failed before the one that answered, e.g. "default/c http_503 12 ms"
                tries.append(": ");
                for (int i = 0; i < attempts; i++) {
                    var a = r.attempts().get(i);
                    tries.append(i == 0 ? "" : " → ").append(a.path("pool").asText()).append('/')
                            .append(a.path("target").asText()).append(' ').append(a.path("outcome").asText())
                            .append(' ').append(a.path("ms").asInt()).append(" ms");
                }
            }
            stages.add(new Stage("forwarded", r.forwardedAt(), "pool " + r.pool() + " target " + r.target()
                    + (attempts == 0 ? "" : ", " + attempts + " attempt" + (attempts == 1 ? "" : "s")) + tries));
        }
        String outcome = "HTTP " + r.httpStatus() + (r.errorCode() == null ? "" : " " + r.errorCode())
                + (r.ttftMs() == null ? "" : ", first token after " + r.ttftMs() + " ms")
                + ", " + r.latencyMs() + " ms"
                + (r.promptTokens() == null ? "" : ", " + r.promptTokens() + " prompt + " + r.completionTokens()
                        + " completion tokens" + (r.tokensEstimated() ? " (estimated)" : ""));
        stages.add(new Stage(r.status(), end, outcome));
        if (usage != null) {
            // when the row was written: after the request ended (the ledger writes in batches, or later from the
            // journal after a database outage); rows from before V15 have no such time
            stages.add(new Stage("usage_recorded", usage.recordedAt(), "usage event " + usage.id() + ", "
                    + usage.totalTokens() + " tokens" + (usage.recordedAt() == null ? " (write time not kept)" : "")));
            // "why was I charged X": the cost, the prices it was charged at (those in force at admission), the entry
            // charged in the transaction that wrote the usage event: the same moment
            stages.add(new Stage("charged", charge == null ? null : usage.recordedAt(), "cost "
                    + Money.usd(usage.costMicros()) + ": " + usage.promptTokens() + " prompt tokens at "
                    + Money.usd(usage.promptPrice()) + " and " + usage.completionTokens() + " completion tokens at "
                    + Money.usd(usage.completionPrice()) + " per million" + (charge == null
                    ? "; no ledger entry charged it (run 'portal admin billing reconcile')"
                    : "; ledger entry " + charge.id() + " of " + Money.usd(charge.amountMicros()) + " on "
                    + charge.account())));
        } else {
            stages.add(new Stage("usage_missing", null, r.usageRecorded()
                    ? "the request log says usage was recorded but no usage event exists"
                    : "no usage event for this request"));
        }
        return new RequestLifecycle(r, List.copyOf(stages), usage, charge);
    }
}
