package ai.cortensor.portal.dialects.messages;

import ai.cortensor.portal.web.ApiError;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;

/**
 * Typed reads of Messages request fields. Every failure is a 400 whose {@code param} is the field's full path
 * ({@code messages[0].content[1].type}); the error body prefixes the message with it, as Anthropic writes
 * {@code "max_tokens: Field required"}. Codes are the gateway's own (they go to the request log).
 */
final class Checks {
    private Checks() {}

    static boolean absent(JsonNode v) {
        return v == null || v.isNull();
    }

    static ApiError missing(String at) {
        return ApiError.invalidRequest("missing_required_parameter", at, "Field required");
    }

    static ApiError type(String at, String expected) {
        return ApiError.invalidRequest("invalid_type", at, "Input should be " + expected);
    }

    static ApiError invalid(String at, String message) {
        return ApiError.invalidRequest("invalid_value", at, message);
    }

    /** A field the Messages API does not have: refused the way Anthropic refuses it. */
    static ApiError extra(String at) {
        return ApiError.invalidRequest("unknown_parameter", at, "Extra inputs are not permitted");
    }

    /** A Messages API field or value this gateway cannot honour. */
    static ApiError unsupported(String at, String message) {
        return ApiError.invalidRequest("unsupported_parameter", at, message);
    }

    /** A content block this gateway's models cannot read (images, documents, server tool blocks, …). */
    static ApiError unsupportedContent(String at, String message) {
        return ApiError.invalidRequest("unsupported_content", at, message);
    }

    /** Refuses any field of {@code node} not in {@code allowed}. */
    static void only(JsonNode node, String at, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw extra(at.isEmpty() ? f : at + "." + f);
            }
        }
    }

    static JsonNode object(JsonNode v, String at) {
        if (v == null || !v.isObject()) {
            throw type(at, "a valid dictionary");
        }
        return v;
    }

    static String requiredString(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            throw missing(at);
        }
        if (!v.isTextual()) {
            throw type(at, "a valid string");
        }
        return v.asText();
    }

    static String optionalString(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            return null;
        }
        if (!v.isTextual()) {
            throw type(at, "a valid string");
        }
        return v.asText();
    }

    static Boolean optionalBool(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            return null;
        }
        if (!v.isBoolean()) {
            throw type(at, "a valid boolean");
        }
        return v.asBoolean();
    }

    static Integer optionalInt(JsonNode node, String field, String at, int min, int max) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw type(at, "a valid integer");
        }
        int i = v.asInt();
        if (i < min || i > max) {
            throw invalid(at, max == Integer.MAX_VALUE ? "Input should be greater than or equal to " + min
                    : "Input should be between " + min + " and " + max + ", got " + i);
        }
        return i;
    }

    static Double optionalNumber(JsonNode node, String field, String at, double min, double max) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            return null;
        }
        if (!v.isNumber()) {
            throw type(at, "a valid number");
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw invalid(at, "Input should be between " + trim(min) + " and " + trim(max) + ", got " + v.asText());
        }
        return d;
    }

    /** {@code {"type":"ephemeral","ttl":"5m"|"1h"}}: accepted; there is no prompt cache, so it changes nothing. */
    static void cacheControl(JsonNode node, String at) {
        JsonNode c = node.get("cache_control");
        if (absent(c)) {
            return;
        }
        String p = at.isEmpty() ? "cache_control" : at + ".cache_control";
        object(c, p);
        only(c, p, Set.of("type", "ttl"));
        String type = requiredString(c, "type", p + ".type");
        if (!type.equals("ephemeral")) {
            throw invalid(p + ".type", "Input should be 'ephemeral'");
        }
        String ttl = optionalString(c, "ttl", p + ".ttl");
        if (ttl != null && !ttl.equals("5m") && !ttl.equals("1h")) {
            throw invalid(p + ".ttl", "Input should be '5m' or '1h'");
        }
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
