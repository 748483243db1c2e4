package ai.cortensor.portal.proxy;

import ai.cortensor.portal.pools.ChatTemplate;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates an OpenAI completion body. Every rejection is a 400 whose {@code param} names the offending
 * field (e.g. {@code messages[1].role}); unknown fields are ignored, as OpenAI SDKs send extras.
 */
final class RequestParser {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private RequestParser() {}

    static CompletionRequest parse(Route route, byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalidRequest("invalid_json",
                    null, "We could not parse the JSON body of your request: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalidRequest("invalid_json", null, "We could not read the body of your request.");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalidRequest("invalid_json", null, "The request body must be a JSON object.");
        }
        String model = requiredString(root, "model");
        List<ChatTemplate.Message> messages = null;
        String prompt = null;
        if (route == Route.CHAT) {
            messages = messages(root);
        } else {
            prompt = prompt(root);
        }
        boolean stream = bool(root, "stream");
        boolean includeUsage = false;
        JsonNode opts = root.get("stream_options");
        if (opts != null && !opts.isNull()) {
            if (!opts.isObject()) {
                throw typeError("stream_options", "an object");
            }
            includeUsage = bool(opts, "include_usage", "stream_options.include_usage");
        }
        Integer maxTokens = integer(root, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = integer(root, "max_tokens", 1, Integer.MAX_VALUE);
        }
        Integer n = integer(root, "n", 1, 128);
        if (n != null && n != 1) {
            throw ApiError.invalidRequest("unsupported_parameter", "n", "Only n=1 is supported.");
        }
        return new CompletionRequest(route, model, messages, prompt, stream, includeUsage, maxTokens,
                number(root, "temperature", 0, 2), number(root, "top_p", 0, 1),
                integer(root, "top_k", 0, Integer.MAX_VALUE), number(root, "presence_penalty", -2, 2),
                number(root, "frequency_penalty", -2, 2), stop(root));
    }

    private static List<ChatTemplate.Message> messages(JsonNode root) {
        JsonNode arr = root.get("messages");
        if (arr == null || arr.isNull()) {
            throw ApiError.invalidRequest("missing_required_parameter", "messages",
                    "Missing required parameter: 'messages'.");
        }
        if (!arr.isArray()) {
            throw typeError("messages", "an array");
        }
        if (arr.isEmpty()) {
            throw ApiError.invalidRequest("invalid_value", "messages", "'messages' must contain at least one message.");
        }
        List<ChatTemplate.Message> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            JsonNode m = arr.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw typeError(at, "an object");
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw ApiError.invalidRequest("missing_required_parameter", at + ".role",
                        "Missing required parameter: '" + at + ".role'.");
            }
            if (!ROLES.contains(role.asText())) {
                throw ApiError.invalidRequest("invalid_value", at + ".role", "Invalid value for '" + at
                        + ".role': '" + role.asText() + "'. Supported: system, developer, user, assistant, tool.");
            }
            out.add(new ChatTemplate.Message(role.asText(), content(m.get("content"), at + ".content")));
        }
        return out;
    }

    /** A string, null (assistant turns with tool calls), or an array of {@code {"type":"text","text":...}} parts. */
    private static String content(JsonNode c, String at) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw typeError(at, "a string or an array of content parts");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            JsonNode type = part.get("type");
            if (type == null || !"text".equals(type.asText()) || !part.path("text").isTextual()) {
                throw ApiError.invalidRequest("unsupported_content", at + "[" + i + "]",
                        "Only text content parts are supported.");
            }
            b.append(part.get("text").asText());
        }
        return b.toString();
    }

    private static String prompt(JsonNode root) {
        JsonNode p = root.get("prompt");
        if (p == null || p.isNull()) {
            throw ApiError.invalidRequest("missing_required_parameter", "prompt", "Missing required parameter: 'prompt'.");
        }
        if (p.isTextual()) {
            return p.asText();
        }
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            return p.get(0).asText();
        }
        if (p.isArray()) {
            throw ApiError.invalidRequest("unsupported_parameter", "prompt",
                    "'prompt' must be a string or an array of exactly one string.");
        }
        throw typeError("prompt", "a string");
    }

    private static List<String> stop(JsonNode root) {
        JsonNode s = root.get("stop");
        if (s == null || s.isNull()) {
            return null;
        }
        if (s.isTextual()) {
            return List.of(s.asText());
        }
        if (!s.isArray() || s.size() > 4) {
            throw ApiError.invalidRequest("invalid_type", "stop", "'stop' must be a string or an array of up to 4 strings.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : s) {
            if (!x.isTextual()) {
                throw typeError("stop", "a string or an array of strings");
            }
            out.add(x.asText());
        }
        return out;
    }

    private static String requiredString(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            throw ApiError.invalidRequest("missing_required_parameter", field,
                    "Missing required parameter: '" + field + "'.");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw typeError(field, "a non-empty string");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode node, String field) {
        return bool(node, field, field);
    }

    private static boolean bool(JsonNode node, String field, String param) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw typeError(param, "a boolean");
        }
        return v.asBoolean();
    }

    private static Integer integer(JsonNode root, String field, int min, int max) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw typeError(field, "an integer");
        }
        int i = v.asInt();
        if (i < min || i > max) {
            throw ApiError.invalidRequest("invalid_value", field,
                    "'" + field + "' must be between " + min + " and " + max + ", got " + i + ".");
        }
        return i;
    }

    private static Double number(JsonNode root, String field, double min, double max) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw typeError(field, "a number");
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw ApiError.invalidRequest("invalid_value", field,
                    "'" + field + "' must be between " + min + " and " + max + ", got " + v.asText() + ".");
        }
        return d;
    }

    private static ApiError typeError(String param, String expected) {
        return ApiError.invalidRequest("invalid_type", param, "Invalid type for '" + param + "': expected " + expected + ".");
    }
}
