package ai.cortensor.portal.gateway;

import java.time.Instant;
import java.util.Locale;

/**
 * What every response of one request shares: the request id ({@code req_…}), when it was accepted and the public
 * model alias. Ids the dialects derive from it are stable, so a replayed or stored answer keeps them.
 */
public record ResponseMeta(String requestId, Instant created, String model) {
    /** The request id without its {@code req_} prefix, lower case: the tail of every derived id. */
    public String idTail() {
        return requestId.substring(requestId.indexOf('_') + 1).toLowerCase(Locale.ROOT);
    }

    /** The id of the answer's {@code index}-th tool call with a dialect's prefix ({@code call_}, {@code toolu_}). */
    public String callId(String prefix, int index) {
        return prefix + idTail() + "_" + index;
    }

    /** OpenAI's form of {@link #callId(String, int)}: {@code call_<tail>_<index>}. */
    public String callId(int index) {
        return callId("call_", index);
    }
}
