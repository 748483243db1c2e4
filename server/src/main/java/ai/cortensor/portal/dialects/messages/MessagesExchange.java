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
 * {@code thinking.display: "omitted"}: thinking blocks keep their signature and lose their text. {@code origins}
 * names the client's fields in the gateway's refusals ({@link #field}).
 */
record MessagesExchange(InferenceRequest request, boolean omitThinking, Origins origins) implements Exchange {

    @Override
    public byte[] body(ParsedOutput answer, Usage usage, ResponseMeta meta) {
        return MessageShapes.message(answer, usage, meta, omitThinking);
    }

    @Override
    public StreamEncoder stream(ResponseMeta meta, EventStream out) {
        return new MessagesEncoder(meta, out, omitThinking);
    }

    /**
     * The gateway's chat names as this API's: a conversation message as the client's message or block, the
     * thinking switch, the effort and the structured output format as Messages fields.
     */
    @Override
    public String field(String chatField) {
        return switch (chatField) {
            case "chat_template_kwargs.enable_thinking" -> "thinking";
            case "reasoning_effort" -> "output_config.effort";
            case "response_format" -> "output_config.format";
            default -> origins.field(chatField);
        };
    }

    /** {@code usage.output_tokens_details.thinking_tokens}. */
    @Override
    public boolean reportsReasoningTokens() {
        return true;
    }
}
