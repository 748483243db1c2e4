package ai.cortensor.portal.gateway;

import ai.cortensor.portal.pools.RouterTarget;
import ai.cortensor.portal.usage.RequestRecord;
import ai.cortensor.portal.web.ApiError;
import java.time.Instant;
import java.util.List;

/**
 * How one request ended. The request record, the metrics, the settlement of the reservation and the error the
 * client gets are all derived from this one value ({@link Gateway}).
 */
sealed interface Outcome {
    /** What was metered; null when nothing was served. */
    Usage usage();

    /** Where it went; null when it was never forwarded. */
    Forwarding forwarding();

    /** True when a router answered, so the request owes a usage event and settles at its actual tokens. */
    default boolean served() {
        return usage() != null && forwarding() != null && forwarding().firstByteNanos() != 0;
    }

    /** Refused before any router work: authentication, validation, unknown model, entitlement, limits. */
    record Blocked(ApiError error, String detail) implements Outcome {
        @Override
        public Usage usage() {
            return null;
        }

        @Override
        public Forwarding forwarding() {
            return null;
        }
    }

    /** {@code finishReason}: why the model stopped, as the client was told ({@code stop}, {@code length}, …). */
    record Completed(Usage usage, Forwarding forwarding, String finishReason) implements Outcome {}

    /**
     * Forwarded but not answered in full. {@code reported} is true when the error went to the client inside an
     * already started stream (the HTTP status was 200); otherwise the client gets it as an error response.
     */
    record Failed(ApiError error, Usage usage, Forwarding forwarding, boolean reported) implements Outcome {}

    /** The client went away before the answer was complete; what was served is still metered. */
    record Cancelled(Usage usage, Forwarding forwarding) implements Outcome {}

    /**
     * The router side of a request: the target of the last attempt, when the first attempt started, when the first
     * token arrived (0 when none did) and every attempt in order.
     */
    record Forwarding(RouterTarget target, Instant forwardedAt, long firstByteNanos,
                      List<RequestRecord.Attempt> attempts) {}
}
