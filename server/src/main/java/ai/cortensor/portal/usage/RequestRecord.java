package ai.cortensor.portal.usage;

import java.time.Instant;
import java.util.List;

/**
 * Everything recorded about one request, written once when it ends: its {@code request_logs} row and, when
 * {@link #served()}, its {@code usage_events} row. Serialized as-is to the disk spool.
 *
 * @param status     blocked | completed | failed | cancelled
 * @param blockReason why the gateway refused it before forwarding (the error code), else null
 * @param attempts    every router attempt in order; the last one is {@code pool}/{@code target}
 */
public record RequestRecord(String requestId, Instant acceptedAt, String route, boolean stream, String model,
                            Long apiKeyId, Long userId, Long organizationId, String status, int httpStatus,
                            String errorCode, String blockReason, String pool, String target, Instant forwardedAt,
                            Integer ttftMs, int latencyMs, Integer promptTokens, Integer completionTokens,
                            boolean tokensEstimated, List<Attempt> attempts) {

    public RequestRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
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
