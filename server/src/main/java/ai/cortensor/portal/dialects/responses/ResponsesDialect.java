package ai.cortensor.portal.dialects.responses;

import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.gateway.Dialect;
import ai.cortensor.portal.gateway.Exchange;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.ErrorResponses;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI's Responses API, {@code POST /v1/responses}: {@code input} items and {@code instructions} in, a response
 * object (or its event stream) out, errors as OpenAI's error object. With {@code previous_response_id} the stored
 * conversation of that response (its context and its output, not its instructions) comes before this request's
 * input; {@link ResponsesHandler} serves {@code GET}/{@code DELETE /v1/responses/{id}}. docs/api.md, "Responses".
 */
public final class ResponsesDialect implements Dialect {
    public static final String PATH = "/v1/responses";

    private final StoredResponses stored;
    private final InstantSource clock;

    public ResponsesDialect(StoredResponses stored, InstantSource clock) {
        this.stored = stored;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "responses";
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public Exchange parse(byte[] body, ApiKey caller) {
        ResponsesRequest r = ResponsesParser.parse(body, stored.enabled());
        List<Items.Item> items = new ArrayList<>();
        if (r.previousResponseId() != null) {
            items.addAll(previous(r.previousResponseId(), caller));
        }
        items.addAll(r.input());
        Conversation conversation = new Conversation(Items.messages(r.instructions(), items), r.tools(),
                r.toolChoice(), r.parallelToolCalls(), r.format(), r.reasoning());
        InferenceRequest inference = new InferenceRequest(r.model(), conversation, null, r.stream(),
                r.maxOutputTokens(), new InferenceRequest.Sampling(r.temperature(), r.topP(), null, null, null, null),
                "max_output_tokens", "input");
        return new ResponsesExchange(r, inference, r.store() ? Items.canonical(items) : null, caller, stored, clock);
    }

    /**
     * The conversation a stored response continues: its context, then its output. 404 when it does not exist, is
     * another account's or has expired; a failed response cannot be continued.
     */
    private List<Items.Item> previous(String id, ApiKey caller) {
        var found = stored.find(id, caller).orElseThrow(() -> ApiError.notFound("previous_response_not_found",
                "previous_response_id", "Previous response with id '" + id + "' not found."));
        if (found.status().equals("failed")) {
            throw ApiError.invalidRequest("invalid_value", "previous_response_id", "The response '" + id + "' failed, "
                    + "so it cannot be continued: continue from an earlier response, or send the conversation in "
                    + "'input'.");
        }
        JsonNode context = tree(found.context());
        JsonNode output = tree(found.body()).path("output");
        List<Items.Item> items = new ArrayList<>(Items.stored(context, "previous_response_id"));
        items.addAll(Items.stored(output, "previous_response_id"));
        return items;
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] errorBody(ApiError error, String requestId) {
        return ErrorResponses.body(error, requestId);
    }
}
