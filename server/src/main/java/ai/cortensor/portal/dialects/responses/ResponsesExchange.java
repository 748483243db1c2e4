package ai.cortensor.portal.dialects.responses;

import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.gateway.EventStream;
import ai.cortensor.portal.gateway.Exchange;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.StreamEncoder;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;

/**
 * One Responses API request: the inference the gateway runs, and how its answer becomes the response object (whole)
 * or the Responses event stream ({@link ResponsesStream}). With {@code store}, the finished response is kept
 * ({@link StoredResponses}) with the conversation it answered, before the client receives its end.
 */
final class ResponsesExchange implements Exchange {
    private final ResponsesRequest request;
    private final InferenceRequest inference;
    private final ArrayNode context;
    private final ApiKey caller;
    private final StoredResponses stored;
    private final InstantSource clock;

    /**
     * @param context the conversation this response answers, in canonical items (the previous response's context
     *                and output, then this request's input; no instructions)
     */
    ResponsesExchange(ResponsesRequest request, InferenceRequest inference, ArrayNode context, ApiKey caller,
                      StoredResponses stored, InstantSource clock) {
        this.request = request;
        this.inference = inference;
        this.context = context;
        this.caller = caller;
        this.stored = stored;
        this.clock = clock;
    }

    @Override
    public InferenceRequest request() {
        return inference;
    }

    /** The gateway's chat field names as this API's: the conversation is {@code input}, its options have their own names. */
    @Override
    public String field(String chatField) {
        if (chatField.startsWith("messages")) {
            return "input"; // the rendered conversation also holds instructions and previous_response_id's items
        }
        return switch (chatField) {
            case "reasoning_effort", "chat_template_kwargs.enable_thinking" -> "reasoning.effort";
            case "response_format" -> "text.format";
            default -> chatField;
        };
    }

    ResponsesRequest responses() {
        return request;
    }

    ArrayNode context() {
        return context;
    }

    /**
     * The response object: a {@code reasoning} item when the model reasoned, a {@code message} when it wrote text
     * (or wrote nothing at all), then one {@code function_call} item per call. Cut at the output limit, the status is
     * {@code incomplete} with {@code incomplete_details.reason: max_output_tokens} and so is the last item's.
     */
    @Override
    public byte[] body(ParsedOutput answer, Usage usage, ResponseMeta meta) {
        String status = "length".equals(answer.finishReason()) ? "incomplete" : "completed";
        boolean message = answer.content() != null || (answer.toolCalls().isEmpty() && answer.reasoning() == null);
        ArrayNode output = Json.MAPPER.createArrayNode();
        if (answer.reasoning() != null) {
            boolean last = !message && answer.toolCalls().isEmpty();
            output.add(ResponseJson.reasoning(ResponseJson.reasoningId(meta, output.size()), last ? status
                    : "completed", answer.reasoning()));
        }
        if (message) {
            boolean last = answer.toolCalls().isEmpty();
            output.add(ResponseJson.message(ResponseJson.messageId(meta, output.size()), last ? status : "completed",
                    answer.content() == null ? "" : answer.content()));
        }
        for (int i = 0; i < answer.toolCalls().size(); i++) {
            ParsedOutput.Call c = answer.toolCalls().get(i);
            output.add(ResponseJson.functionCall(ResponseJson.callItemId(meta, i), "completed",
                    meta.callId("call_", i), c.name(), c.arguments()));
        }
        ObjectNode response = ResponseJson.response(request, meta, status, output, usage, null,
                clock.instant().getEpochSecond());
        byte[] body = bytes(response);
        save(meta, status, body);
        return body;
    }

    @Override
    public StreamEncoder stream(ResponseMeta meta, EventStream out) {
        return new ResponsesStream(this, meta, out, clock);
    }

    /** Keeps the finished response when the client asked for it ({@code store}). */
    void save(ResponseMeta meta, String status, byte[] body) {
        if (request.store()) {
            stored.save(caller, new StoredResponses.Saved(ResponseJson.responseId(meta), meta.requestId(),
                    meta.model(), status, request.previousResponseId(), meta.created(), context.toString(),
                    new String(body, StandardCharsets.UTF_8)));
        }
    }

    static byte[] bytes(ObjectNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
