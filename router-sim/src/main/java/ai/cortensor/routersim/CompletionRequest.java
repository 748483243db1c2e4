package ai.cortensor.routersim;

import java.io.IOException;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The fields of a completion body that change the sim's answer. The other router fields
 * ({@code prompt_type}, {@code prompt_template}, {@code timeout}, {@code client_reference}, {@code temperature},
 * {@code top_p}, {@code top_k}, {@code presence_penalty}, {@code frequency_penalty}, {@code stop}) are accepted and
 * ignored; the raw body stays visible in {@link SimStats#lastBodies()}.
 *
 * @param prompt    required string
 * @param stream    {@code stream}, default false
 * @param maxTokens {@code max_tokens}, 0 when absent, null or not positive
 * @param sessionId {@code session_id} from the body, -1 when absent (it is required on {@code /api/v1/completions} only)
 */
record CompletionRequest(String prompt, boolean stream, int maxTokens, long sessionId) {

    /** Body rejected the way FastAPI/pydantic rejects it: 422 with one {@code detail} entry. */
    static final class Invalid extends Exception {
        final String field;
        final String msg;
        final String type;

        Invalid(String field, String msg, String type) {
            super(field + ": " + msg, null, false, false);
            this.field = field;
            this.msg = msg;
            this.type = type;
        }
    }

    private static final String MISSING_MSG = "field required";
    private static final String MISSING_TYPE = "value_error.missing";

    static CompletionRequest parse(ObjectMapper mapper, byte[] body) throws Invalid {
        JsonNode root;
        try {
            root = body.length == 0 ? null : mapper.readTree(body);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("prompt", MISSING_MSG, MISSING_TYPE);
        }
        JsonNode prompt = root.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw new Invalid("prompt", MISSING_MSG, MISSING_TYPE);
        }
        return new CompletionRequest(prompt.textValue(), bool(root.get("stream")), maxTokens(root.get("max_tokens")),
                sessionId(root.get("session_id")));
    }

    private static boolean bool(JsonNode node) throws Invalid {
        if (node == null || node.isNull()) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isInt() && (node.intValue() == 0 || node.intValue() == 1)) {
            return node.intValue() == 1;
        }
        if (node.isTextual()) {
            switch (node.textValue().toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes", "on" -> {
                    return true;
                }
                case "false", "0", "no", "off" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw new Invalid("stream", "value could not be parsed to a boolean", "type_error.bool");
    }

    private static int maxTokens(JsonNode node) throws Invalid {
        if (node == null || node.isNull()) {
            return 0;
        }
        long v = integer(node, "max_tokens");
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, v));
    }

    private static long sessionId(JsonNode node) throws Invalid {
        if (node == null || node.isNull()) {
            return -1;
        }
        return integer(node, "session_id");
    }

    private static long integer(JsonNode node, String field) throws Invalid {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.textValue().trim());
            } catch (NumberFormatException ignored) {
                // falls through to the pydantic error
            }
        }
        throw new Invalid(field, "value is not a valid integer", "type_error.integer");
    }
}
