package ai.cortensor.portal.dialects.messages;

import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.gateway.EventStream;
import ai.cortensor.portal.gateway.Exchange;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.StreamEncoder;
import ai.cortensor.portal.gateway.Usage;

/**
 * One Messages request: a {@code message} body, or its events ({@link MessagesEncoder}). {@code omitThinking} is
 * {@code thinking.display: "omitted"}: thinking blocks keep their signature and lose their text.
 */
record MessagesExchange(InferenceRequest request, boolean omitThinking) implements Exchange {

    @Override
    public byte[] body(ParsedOutput answer, Usage usage, ResponseMeta meta) {
        return MessageShapes.message(answer, usage, meta, omitThinking);
    }

    @Override
    public StreamEncoder stream(ResponseMeta meta, EventStream out) {
        return new MessagesEncoder(meta, out, omitThinking);
    }

    /** {@code usage.output_tokens_details.thinking_tokens}. */
    @Override
    public boolean reportsReasoningTokens() {
        return true;
    }
}
