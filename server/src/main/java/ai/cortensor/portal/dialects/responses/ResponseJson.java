package ai.cortensor.portal.dialects.responses;

import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Responses API's objects: the {@code response} object (the non-streaming body, the snapshot in lifecycle
 * events and what {@code GET /v1/responses/{id}} returns) and its output items. Ids: {@code resp_<tail>} for the
 * response, {@code msg_<tail>_<output index>}, {@code rs_<tail>_<output index>} and {@code fc_<tail>_<call index>}
 * for items, {@code call_<tail>_<call index>} for a call's {@code call_id}, where {@code <tail>} is the request id's
 * ({@link ResponseMeta#idTail()}).
 */
final class ResponseJson {
    private ResponseJson() {}

    static String responseId(ResponseMeta meta) {
        return "resp_" + meta.idTail();
    }

    static String messageId(ResponseMeta meta, int outputIndex) {
        return "msg_" + meta.idTail() + "_" + outputIndex;
    }

    static String reasoningId(ResponseMeta meta, int outputIndex) {
        return "rs_" + meta.idTail() + "_" + outputIndex;
    }

    static String callItemId(ResponseMeta meta, int callIndex) {
        return "fc_" + meta.idTail() + "_" + callIndex;
    }

    /**
     * The response object. {@code status} is {@code in_progress}, {@code completed}, {@code incomplete} (cut at
     * {@code max_output_tokens}) or {@code failed} (with {@code errorMessage}); {@code usage} is null until done.
     */
    static ObjectNode response(ResponsesRequest r, ResponseMeta meta, String status, ArrayNode output, Usage usage,
                               String errorMessage, Long completedAt) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", responseId(meta));
        o.put("object", "response");
        o.put("created_at", meta.created().getEpochSecond());
        o.put("status", status);
        o.put("background", false);
        o.put("completed_at", completedAt);
        if (errorMessage == null) {
            o.putNull("error");
        } else {
            o.putObject("error").put("code", "server_error").put("message", errorMessage);
        }
        if (status.equals("incomplete")) {
            o.putObject("incomplete_details").put("reason", "max_output_tokens");
        } else {
            o.putNull("incomplete_details");
        }
        o.put("instructions", r.instructions());
        o.put("max_output_tokens", r.maxOutputTokens());
        o.put("max_tool_calls", r.maxToolCalls());
        o.put("model", meta.model());
        o.set("output", output);
        o.put("parallel_tool_calls", r.parallelToolCalls());
        o.put("previous_response_id", r.previousResponseId());
        o.putNull("prompt_cache_key");
        ObjectNode reasoning = o.putObject("reasoning");
        reasoning.put("effort", r.reasoning().effort());
        reasoning.putNull("summary");
        o.put("safety_identifier", r.safetyIdentifier());
        o.put("service_tier", "default");
        o.put("store", r.store());
        o.put("temperature", r.temperature());
        o.set("text", r.textEcho());
        o.set("tool_choice", r.toolChoiceEcho());
        o.set("tools", r.toolsEcho());
        o.put("top_logprobs", 0);
        o.put("top_p", r.topP());
        o.put("truncation", "disabled");
        if (usage == null) {
            o.putNull("usage");
        } else {
            o.set("usage", usage(usage));
        }
        o.put("user", r.user());
        o.set("metadata", r.metadata());
        return o;
    }

    /** {@code reasoning_tokens} is the part of {@code output_tokens} spent on reasoning; nothing is cached. */
    static ObjectNode usage(Usage u) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("input_tokens", u.inputTokens());
        o.putObject("input_tokens_details").put("cached_tokens", 0).put("cache_write_tokens", 0);
        o.put("output_tokens", u.outputTokens());
        o.putObject("output_tokens_details").put("reasoning_tokens", u.reasoningTokens());
        o.put("total_tokens", u.totalTokens());
        return o;
    }

    /** An assistant message; {@code text} null gives no content part yet (the item just added). */
    static ObjectNode message(String id, String status, String text) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("type", "message");
        o.put("status", status);
        ArrayNode content = o.putArray("content");
        if (text != null) {
            content.add(outputText(text));
        }
        o.put("role", "assistant");
        return o;
    }

    static ObjectNode outputText(String text) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("type", "output_text");
        p.putArray("annotations");
        p.putArray("logprobs");
        p.put("text", text);
        return p;
    }

    /** A reasoning item: the model's reasoning itself as one {@code reasoning_text} part, no summary. */
    static ObjectNode reasoning(String id, String status, String text) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("type", "reasoning");
        o.putArray("summary");
        ArrayNode content = o.putArray("content");
        if (text != null) {
            content.add(reasoningText(text));
        }
        o.put("status", status);
        return o;
    }

    static ObjectNode reasoningText(String text) {
        return Json.MAPPER.createObjectNode().put("type", "reasoning_text").put("text", text);
    }

    static ObjectNode functionCall(String id, String status, String callId, String name, String arguments) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("type", "function_call");
        o.put("status", status);
        o.put("arguments", arguments);
        o.put("call_id", callId);
        o.put("name", name);
        return o;
    }
}
