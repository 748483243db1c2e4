package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * What the gateway takes from a router's completion (non-streaming body or one stream frame): the text of the
 * first choice, its finish reason and the router-reported usage, if any. Accepts the Cortensor shape
 * ({@code choices[0].text}) and OpenAI chat shapes ({@code message.content} / {@code delta.content}).
 */
record RouterReply(String streamKey, String text, String finishReason, Integer promptTokens,
                   Integer completionTokens) {

    static RouterReply parse(String json) throws IOException {
        return of(Json.MAPPER.readTree(json));
    }

    static RouterReply parse(byte[] json) throws IOException {
        return of(Json.MAPPER.readTree(json));
    }

    private static RouterReply of(JsonNode root) throws IOException {
        if (root == null || !root.isObject()) {
            throw new IOException("router reply is not a JSON object");
        }
        String key = root.hasNonNull("id") ? root.get("id").asText()
                : root.hasNonNull("task_id") ? root.get("task_id").asText() : null;
        String text = "";
        String finish = null;
        JsonNode choices = root.get("choices");
        if (choices != null && choices.isArray() && !choices.isEmpty()) {
            JsonNode c = choices.get(0);
            if (c.hasNonNull("text")) {
                text = c.get("text").asText();
            } else if (c.path("message").hasNonNull("content")) {
                text = c.get("message").get("content").asText();
            } else if (c.path("delta").hasNonNull("content")) {
                text = c.get("delta").get("content").asText();
            }
            if (c.hasNonNull("finish_reason")) {
                finish = c.get("finish_reason").asText();
            }
        }
        JsonNode usage = root.get("usage");
        Integer pt = null;
        Integer ct = null;
        if (usage != null && usage.isObject() && usage.path("completion_tokens").canConvertToInt()) {
            pt = usage.path("prompt_tokens").asInt();
            ct = usage.get("completion_tokens").asInt();
        }
        return new RouterReply(key, text, finish, pt, ct);
    }
}
