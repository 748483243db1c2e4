package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.JsonNode;

/** How the official Jinja templates see JSON values, for the renderers that follow them to the letter. */
final class JinjaValues {
    private JinjaValues() {}

    /** Python truthiness of a JSON value; undefined (null or missing) is false. */
    static boolean truthy(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNumber()) {
            // a double may be infinite (JSON 1e400 reads as one), which has no decimal value; NaN is truthy too
            return n.isDouble() || n.isFloat() ? n.doubleValue() != 0 : n.decimalValue().signum() != 0;
        }
        if (n.isTextual()) {
            return !n.textValue().isEmpty();
        }
        return n.size() > 0;
    }
}
