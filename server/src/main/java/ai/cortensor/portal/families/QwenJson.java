package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/** JSON helpers of the Qwen family: neutralising client JSON before it is printed, reading the model's calls. */
final class QwenJson {
    /** Strict: one JSON value and nothing after it (Python's {@code json.loads}). Key order is kept. */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private QwenJson() {}

    /** {@code node} with every string (keys included) neutralised; the same instance when nothing changes. */
    static JsonNode neutralise(JsonNode node, ControlTokens tokens) {
        if (node == null || !contains(node, tokens)) {
            return node;
        }
        return copy(node, tokens);
    }

    private static boolean contains(JsonNode node, ControlTokens tokens) {
        if (node.isTextual()) {
            return changes(node.textValue(), tokens);
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (changes(e.getKey(), tokens) || contains(e.getValue(), tokens)) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                if (contains(child, tokens)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean changes(String s, ControlTokens tokens) {
        return tokens.neutralise(s) != s; // neutralise returns the same instance when there is nothing to break
    }

    private static JsonNode copy(JsonNode node, ControlTokens tokens) {
        if (node.isTextual()) {
            return TextNode.valueOf(tokens.neutralise(node.textValue()));
        }
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(tokens.neutralise(e.getKey()), copy(e.getValue(), tokens));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode child : node) {
                out.add(copy(child, tokens));
            }
            return out;
        }
        return node;
    }

    /** A call the model wrote: its function name and its arguments as a JSON string. */
    record Call(String name, String arguments) {}

    /**
     * Reads the body of a {@code <tool_call>} block: a JSON object with a non-empty string {@code name} and
     * {@code arguments} (missing or null read as {@code {}}). Null when the body is anything else. Never throws.
     * Arguments are re-serialised as vLLM does ({@code json.dumps(arguments, ensure_ascii=False)}).
     */
    static Call readCall(String body) {
        JsonNode node;
        try {
            node = STRICT.readTree(body);
        } catch (Exception | StackOverflowError e) {
            return null;
        }
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode name = node.get("name");
        if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
            return null;
        }
        JsonNode args = node.get("arguments");
        if (args == null || args.isNull()) {
            args = JsonNodeFactory.instance.objectNode();
        }
        return new Call(name.textValue(), PyJson.dumps(args));
    }
}
