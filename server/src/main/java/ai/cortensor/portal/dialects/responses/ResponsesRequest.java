package ai.cortensor.portal.dialects.responses;

import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolChoice;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A {@code POST /v1/responses} body, validated: what the gateway runs and what the response object echoes. The
 * {@code *Echo} fields are the request's settings in the shape the response object reports them.
 *
 * @param maxToolCalls accepted and echoed: it bounds calls of built-in tools, and there are none here
 */
record ResponsesRequest(String model, List<Items.Item> input, String instructions, boolean stream,
                        Integer maxOutputTokens, Double temperature, Double topP,
                        List<Tool> tools, ArrayNode toolsEcho, ToolChoice toolChoice, JsonNode toolChoiceEcho,
                        boolean parallelToolCalls, ResponseFormat format, ObjectNode textEcho,
                        Reasoning reasoning, boolean store, String previousResponseId, ObjectNode metadata,
                        String user, String safetyIdentifier, Integer maxToolCalls) {
    ResponsesRequest {
        input = List.copyOf(input);
        tools = List.copyOf(tools);
    }
}
