package ai.cortensor.portal.gateway;

import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.pools.RouterTarget;
import ai.cortensor.portal.usage.RequestRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the request path learns about one request as it goes; becomes its {@link RequestRecord} at the end. */
final class Trace {
    final String requestId;
    final Route route;
    final Instant acceptedAt;
    final long startNanos;
    boolean stream;
    String model;
    ApiKey key;
    RouterTarget target;
    Instant forwardedAt;
    long firstByteNanos;
    String status = "failed";
    int httpStatus = 500;
    String errorCode;
    boolean blocked;
    Integer promptTokens;
    Integer completionTokens;
    boolean estimated;
    String blockDetail;
    ai.cortensor.portal.plans.Reservation reservation;
    private List<RequestRecord.Attempt> attempts = List.of();

    Trace(String requestId, Route route, Instant acceptedAt, long startNanos) {
        this.requestId = requestId;
        this.route = route;
        this.acceptedAt = acceptedAt;
        this.startNanos = startNanos;
    }

    void end(String status, int httpStatus, String errorCode) {
        this.status = status;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    void attempt(RequestRecord.Attempt a) {
        if (attempts.isEmpty()) {
            attempts = new ArrayList<>(2);
        }
        attempts.add(a);
    }

    /** Refused before any router work (auth, validation, unknown model). */
    void block(int httpStatus, String code) {
        this.blocked = true;
        end("blocked", httpStatus, code);
    }

    RequestRecord toRecord(long endNanos) {
        Integer ttft = firstByteNanos == 0 ? null : millis(firstByteNanos - startNanos);
        return new RequestRecord(requestId, acceptedAt, route.path(), stream, model,
                key == null ? null : key.id(), key == null ? null : key.userId(),
                key == null ? null : key.organizationId(), status, httpStatus, errorCode,
                blocked ? (blockDetail == null ? errorCode : errorCode + ":" + blockDetail) : null, target == null ? null : target.pool(),
                target == null ? null : target.name(), forwardedAt, ttft, millis(endNanos - startNanos),
                promptTokens, completionTokens, estimated, attempts);
    }

    private static int millis(long nanos) {
        return (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
