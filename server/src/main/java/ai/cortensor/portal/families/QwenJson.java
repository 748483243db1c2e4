package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Reading the tool calls a Qwen model writes. */
final class QwenJson {
    /** Strict: one JSON value and nothing after it (Python's {@code json.loads}). Key order is kept. */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private QwenJson() {}

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
