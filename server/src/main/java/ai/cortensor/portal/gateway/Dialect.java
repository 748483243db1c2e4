package ai.cortensor.portal.gateway;

import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.web.ApiError;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * One public API shape (OpenAI Chat Completions, OpenAI Completions, OpenAI Responses, Anthropic Messages): how its
 * requests are read into the one internal {@link InferenceRequest} and how answers and errors are written back.
 * Everything else (keys, limits, pools, failover, templates, parsing, metering, the request log) is the
 * {@link Gateway}'s and the same for every dialect. A dialect lives in its own package under
 * {@code ai.cortensor.portal.dialects}; docs/development.md says how to add one.
 */
public interface Dialect {
    /** The short name recorded with every request and shown to operators and customers: chat, responses, … */
    String name();

    /** The route it answers, e.g. {@code /v1/messages}; recorded as the request's route. */
    String path();

    /**
     * The credential the client presented, as an {@code Authorization} header value ({@code Bearer <key>}), or null.
     * Dialects whose clients send the key elsewhere (Anthropic's {@code x-api-key}) override this.
     */
    default String credential(ServerRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    }

    /**
     * Reads one request body for an authenticated caller. Throws {@link ApiError} (400, naming the field) for
     * anything malformed, unknown or unsupported: nothing a client sends is silently dropped.
     */
    Exchange parse(byte[] body, ApiKey caller);

    /** The dialect's error object for {@code error}, carrying the request id. */
    byte[] errorBody(ApiError error, String requestId);
}
