package ai.cortensor.portal.usage;

import java.time.Instant;
import java.util.List;

/**
 * Everything recorded about one request, written once when it ends: its {@code request_logs} row and, when
 * {@link #served()}, its {@code usage_events} row. Serialized as-is to the disk spool (a record journaled by an
 * older version, without the later fields, reads back with them null).
 *
 * @param status          blocked | completed | failed | cancelled
 * @param blockReason     why the gateway refused it before forwarding (the error code), else null
 * @param attempts        every router attempt in order; the last one is {@code pool}/{@code target}
 * @param money           what it cost and at which prices, and whether admission held money for it
 * @param finishReason    how it ended: stop | length | tool_calls | content_filter (the model's end), error (refused,
 *                        failed or cut) or cancelled (the client left); null only in records of older versions
 * @param reasoningTokens the part of {@code completionTokens} counted (and priced) as reasoning; null when unknown
 */
public record RequestRecord(String requestId, Instant acceptedAt, String route, boolean stream, String model,
                            Long apiKeyId, Long userId, Long organizationId, String status, int httpStatus,
                            String errorCode, String blockReason, String pool, String target, Instant forwardedAt,
                            Integer ttftMs, int latencyMs, Integer promptTokens, Integer completionTokens,
                            boolean tokensEstimated, List<Attempt> attempts, Money money, String finishReason,
                            Integer reasoningTokens) {
    /** The finish reasons a record may carry (request_logs' check constraint, V23). */
    public static final java.util.Set<String> FINISH_REASONS = java.util.Set.of("stop", "length", "tool_calls",
            "content_filter", "error", "cancelled");

    public RequestRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        money = money == null ? Money.NONE : money;
    }

    /** A record without a finish reason or reasoning count (tests, benchmarks). */
    public RequestRecord(String requestId, Instant acceptedAt, String route, boolean stream, String model,
                         Long apiKeyId, Long userId, Long organizationId, String status, int httpStatus,
                         String errorCode, String blockReason, String pool, String target, Instant forwardedAt,
                         Integer ttftMs, int latencyMs, Integer promptTokens, Integer completionTokens,
                         boolean tokensEstimated, List<Attempt> attempts, Money money) {
        this(requestId, acceptedAt, route, stream, model, apiKeyId, userId, organizationId, status, httpStatus,
                errorCode, blockReason, pool, target, forwardedAt, ttftMs, latencyMs, promptTokens, completionTokens,
                tokensEstimated, attempts, money, null, null);
    }

    /** A record of a request that cost nothing and held nothing. */
    public RequestRecord(String requestId, Instant acceptedAt, String route, boolean stream, String model,
                         Long apiKeyId, Long userId, Long organizationId, String status, int httpStatus,
                         String errorCode, String blockReason, String pool, String target, Instant forwardedAt,
                         Integer ttftMs, int latencyMs, Integer promptTokens, Integer completionTokens,
                         boolean tokensEstimated, List<Attempt> attempts) {
        this(requestId, acceptedAt, route, stream, model, apiKeyId, userId, organizationId, status, httpStatus,
                errorCode, blockReason, pool, target, forwardedAt, ttftMs, latencyMs, promptTokens, completionTokens,
                tokensEstimated, attempts, Money.NONE);
    }

    /**
     * The request's money: {@code costMicros} what its metered tokens cost at the prices in force when it was
     * admitted ({@code promptPrice}, {@code completionPrice}: micro-USD per million tokens), and whether admission
     * {@code held} money for it (released when this record is written).
     */
    public record Money(long costMicros, long promptPrice, long completionPrice, boolean held) {
        public static final Money NONE = new Money(0, 0, 0, false);
    }

    public RequestRecord withMoney(Money m) {
        return new RequestRecord(requestId, acceptedAt, route, stream, model, apiKeyId, userId, organizationId, status,
                httpStatus, errorCode, blockReason, pool, target, forwardedAt, ttftMs, latencyMs, promptTokens,
                completionTokens, tokensEstimated, attempts, m, finishReason, reasoningTokens);
    }

    /** This record with how it ended and its reasoning tokens (null: unknown). */
    public RequestRecord withFinish(String reason, Integer reasoning) {
        return new RequestRecord(requestId, acceptedAt, route, stream, model, apiKeyId, userId, organizationId, status,
                httpStatus, errorCode, blockReason, pool, target, forwardedAt, ttftMs, latencyMs, promptTokens,
                completionTokens, tokensEstimated, attempts, money, reason, reasoning);
    }

    /** The account charged: {@code o<organization id>} for an organization's key, else {@code u<user id>}. */
    public String account() {
        return organizationId != null ? "o" + organizationId : userId != null ? "u" + userId : null;
    }

    /**
     * One try on one router target: {@code outcome} is {@code ok}, {@code connect_error}, {@code timeout},
     * {@code http_<status>}, {@code cut} or {@code bad_response}; {@code ms} from its start to its end.
     */
    public record Attempt(String pool, String target, String outcome, int ms) {}

    /**
     * A request the router answered (a first byte arrived, so {@code ttftMs} is set): it owes exactly one usage
     * event, whether it then completed, failed mid-stream or was abandoned by the client.
     */
    public boolean served() {
        return apiKeyId != null && target != null && ttftMs != null && completionTokens != null;
    }
}
