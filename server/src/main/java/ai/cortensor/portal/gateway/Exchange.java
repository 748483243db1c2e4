package ai.cortensor.portal.gateway;

import ai.cortensor.portal.families.ParsedOutput;

/**
 * One request in one dialect, after parsing: what the gateway must run ({@link #request()}) and how its answer is
 * written back, whole ({@link #body}) or as events ({@link #stream}). Made by {@link Dialect#parse}; it may keep
 * whatever of the client's request only the dialect needs (ids, metadata, {@code store}, …).
 */
public interface Exchange {
    InferenceRequest request();

    /** The whole answer of a non-streaming request, as the response body (status 200, JSON). */
    byte[] body(ParsedOutput answer, Usage usage, ResponseMeta meta);

    /** The encoder for a streaming request's events, writing to {@code out}. */
    StreamEncoder stream(ResponseMeta meta, EventStream out);

    /**
     * True when the dialect reports reasoning tokens in its usage (the gateway then counts them, which costs a
     * tokenizer pass over the reasoning); {@link Usage#reasoningTokens()} is 0 otherwise.
     */
    default boolean reportsReasoningTokens() {
        return true;
    }

    /**
     * This dialect's name for a field the gateway blames in its own checks, which use Chat Completions names:
     * {@code messages[i]…} (the rendered conversation, the first system message included), {@code tool_choice},
     * {@code reasoning_effort}, {@code chat_template_kwargs.enable_thinking} and {@code response_format}.
     */
    default String field(String chatField) {
        return chatField;
    }
}
