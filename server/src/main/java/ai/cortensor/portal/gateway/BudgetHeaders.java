package ai.cortensor.portal.gateway;

import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.billing.Hold;
import ai.cortensor.portal.billing.Money;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;

/**
 * The {@code x-budget-*} headers of a response whose request a spend budget applied to: the budget with the least
 * left after this request's hold (or the one that refused it). They come from the hold's own answer, so they cost no
 * database round trip; a request no budget applies to gets none (docs/api.md, "Budget headers").
 */
final class BudgetHeaders {
    static final HeaderName SCOPE = HeaderNames.create("x-budget-scope");
    static final HeaderName LIMIT = HeaderNames.create("x-budget-limit-usd");
    static final HeaderName REMAINING = HeaderNames.create("x-budget-remaining-usd");
    static final HeaderName RESET = HeaderNames.create("x-budget-reset");

    private BudgetHeaders() {}

    static void set(ServerResponse res, Hold hold) {
        switch (hold) {
            case Hold.Held h when h.tightest() != null -> set(res, h.tightest(), h.remainingMicros(), h.resetsAt());
            case Hold.Refused r when r.budget() != null -> set(res, r.budget(), r.availableMicros(), r.resetsAt());
            default -> { }
        }
    }

    private static void set(ServerResponse res, Budget b, long remainingMicros, Instant resetsAt) {
        res.header(SCOPE, b.scope().name().toLowerCase() + "/" + b.period().name().toLowerCase());
        res.header(LIMIT, Money.decimal(b.capMicros()));
        res.header(REMAINING, Money.decimal(Math.max(0, remainingMicros)));
        res.header(RESET, resetsAt.toString());
    }
}
