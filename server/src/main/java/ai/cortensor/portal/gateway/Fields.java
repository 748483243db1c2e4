package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import java.io.IOException;
import com.fasterxml.jackson.databind.JsonNode;

/** Typed reads of request fields; every failure is a 400 whose {@code param} is the full path of the field. */
public final class Fields {
    private Fields() {}

    public static boolean absent(JsonNode v) {
        return v == null || v.isNull();
    }

    public static String requiredString(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            throw missing(at);
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw typeError(at, "a non-empty string");
        }
        return v.asText();
    }

    public static String optionalString(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            return null;
        }
        if (!v.isTextual()) {
            throw typeError(at, "a string");
        }
        return v.asText();
    }

    public static boolean bool(JsonNode node, String field, String at, boolean otherwise) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw typeError(at, "a boolean");
        }
        return v.asBoolean();
    }

    public static Integer integer(JsonNode node, String field, int min, int max) {
        JsonNode v = node.get(field);
        if (absent(v)) {
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

    public static Double number(JsonNode node, String field, double min, double max) {
        JsonNode v = node.get(field);
        if (absent(v)) {
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

    public static ApiError missing(String at) {
        return ApiError.invalidRequest("missing_required_parameter", at, "Missing required parameter: '" + at + "'.");
    }

    public static ApiError typeError(String at, String expected) {
        return ApiError.invalidRequest("invalid_type", at, "Invalid type for '" + at + "': expected " + expected + ".");
    }

    public static ApiError invalid(String at, String message) {
        return ApiError.invalidRequest("invalid_value", at, message);
    }

    /** A field this API does not have, named the way OpenAI names it. */
    public static ApiError unknown(String at) {
        return ApiError.invalidRequest("unknown_parameter", at, "Unrecognized request argument supplied: '" + at + "'.");
    }

    public static ApiError unsupported(String at, String message) {
        return ApiError.invalidRequest("unsupported_parameter", at, message);
    }

    /** The arguments string parsed with key order kept; {@code {}} for "" or "null"; null when not valid JSON. */
    public static JsonNode arguments(String args) {
        String s = args.strip();
        if (s.isEmpty() || s.equals("null")) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }
}
