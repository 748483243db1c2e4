package ai.cortensor.portal.proxy;

import ai.cortensor.portal.web.ApiError;
import com.fasterxml.jackson.databind.JsonNode;

/** Typed reads of request fields; every failure is a 400 whose {@code param} is the full path of the field. */
final class Fields {
    private Fields() {}

    static boolean absent(JsonNode v) {
        return v == null || v.isNull();
    }

    static String requiredString(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            throw missing(at);
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw typeError(at, "a non-empty string");
        }
        return v.asText();
    }

    static String optionalString(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            return null;
        }
        if (!v.isTextual()) {
            throw typeError(at, "a string");
        }
        return v.asText();
    }

    static boolean bool(JsonNode node, String field, String at, boolean otherwise) {
        JsonNode v = node.get(field);
        if (absent(v)) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw typeError(at, "a boolean");
        }
        return v.asBoolean();
    }

    static Integer integer(JsonNode node, String field, int min, int max) {
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

    static Double number(JsonNode node, String field, double min, double max) {
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

    static ApiError missing(String at) {
        return ApiError.invalidRequest("missing_required_parameter", at, "Missing required parameter: '" + at + "'.");
    }

    static ApiError typeError(String at, String expected) {
        return ApiError.invalidRequest("invalid_type", at, "Invalid type for '" + at + "': expected " + expected + ".");
    }

    static ApiError invalid(String at, String message) {
        return ApiError.invalidRequest("invalid_value", at, message);
    }

    /** A field this API does not have, named the way OpenAI names it. */
    static ApiError unknown(String at) {
        return ApiError.invalidRequest("unknown_parameter", at, "Unrecognized request argument supplied: '" + at + "'.");
    }

    static ApiError unsupported(String at, String message) {
        return ApiError.invalidRequest("unsupported_parameter", at, message);
    }
}
