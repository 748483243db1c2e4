package ai.cortensor.portal.gateway;

import ai.cortensor.portal.plans.Refusal;
import ai.cortensor.portal.web.ApiError;
import java.time.Duration;

/**
 * The API error each {@link Refusal} is answered with, in every dialect (the dialect shapes it): the status and
 * error type here, the code and message the rule's own.
 */
public final class Refusals {
    private Refusals() {}

    public static ApiError error(Refusal r) {
        return switch (r) {
            case Refusal.KeyRevoked k -> new ApiError(401, "authentication_error", k.code(), null, k.message(), null);
            case Refusal.KeyExpired k -> new ApiError(401, "authentication_error", k.code(), null, k.message(), null);
            case Refusal.AccountPaused a -> new ApiError(403, "permission_error", a.code(), null, a.message(), null);
            case Refusal.ModelNotFound m -> ApiError.notFound(m.code(), "model", m.message());
            case Refusal.ModelDisabled m -> ApiError.notFound(m.code(), "model", m.message());
            case Refusal.ModelPaused m -> new ApiError(503, "server_error", m.code(), "model", m.message(),
                    seconds(m.retryAfter()));
            case Refusal.ModelNotEntitled m -> new ApiError(403, "permission_error", m.code(), "model", m.message(),
                    null);
            case Refusal.ModelUnavailable m -> new ApiError(503, "server_error", m.code(), "model", m.message(),
                    seconds(m.retryAfter()));
            case Refusal.LimitReached l -> new ApiError(429, l.limit().kind().allowance() ? "insufficient_quota"
                    : "rate_limit_error", l.code(), null, l.message(), seconds(l.retryAfter()));
            case Refusal.LimitsUnavailable u -> new ApiError(503, "server_error", u.code(), null, u.message(),
                    seconds(u.retryAfter()));
            case Refusal.InsufficientCredits c -> new ApiError(402, "insufficient_quota", c.code(), null, c.message(),
                    null);
            case Refusal.BudgetExceeded b -> new ApiError(402, "insufficient_quota", b.code(), null, b.message(), null);
            case Refusal.BillingUnavailable u -> new ApiError(503, "server_error", u.code(), null, u.message(),
                    seconds(u.retryAfter()));
        };
    }

    /** Whole seconds to wait, rounded up, at least one. */
    static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
