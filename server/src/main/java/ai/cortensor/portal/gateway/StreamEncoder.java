package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.ApiError;

/**
 * Encodes the typed events of one streamed answer in a dialect's wire format. The gateway calls the delta methods
 * in the order the model wrote them (reasoning, content and tool calls may interleave; a tool call's arguments
 * follow its start), then exactly one of {@link #finish} and {@link #fail}. Nothing should be written before the
 * first event: an attempt that fails before it leaves the response untouched, so another target can serve it.
 * Writes go to the {@link EventStream}; once it reports the client gone, the gateway stops calling.
 */
public interface StreamEncoder {
    void reasoning(String delta);

    void content(String delta);

    /** A tool call begins; {@code index} counts from 0 within the answer, its id is {@link ResponseMeta#callId}. */
    void toolCallStart(int index, String name);

    void toolCallArguments(int index, String delta);

    /**
     * The answer is complete. {@code finishReason} is {@code stop}, {@code length} (max tokens reached) or
     * {@code tool_calls}; the dialect writes its closing events with {@code usage}.
     */
    void finish(String finishReason, Usage usage);

    /**
     * The router broke after the stream had started: the dialect's error event and
     * whatever closing it needs. {@code usage} is what was metered for the part that was sent.
     */
    void fail(ApiError error, Usage usage);
}
