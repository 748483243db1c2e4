package ai.cortensor.routersim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A small, independent JSON Schema checker for the tests (the sim's {@link SchemaSynth} must not grade itself):
 * type, enum, const, required, properties, additionalProperties false, items, minItems, local $ref, anyOf.
 */
final class SchemaCheck {

    private SchemaCheck() {
    }

    /** The violations of {@code schema} by {@code value}; empty when it validates. */
    static List<String> violations(JsonNode value, JsonNode schema) {
        List<String> out = new ArrayList<>();
        check(value, schema, schema, "$", out);
        return out;
    }

    private static void check(JsonNode v, JsonNode s, JsonNode root, String path, List<String> out) {
        if (s.has("$ref")) {
            check(v, root.at(s.get("$ref").asText().substring(1)), root, path, out);
            return;
        }
        if (s.has("anyOf")) {
            for (JsonNode branch : s.get("anyOf")) {
                if (violations(v, withRoot(branch, root)).isEmpty()) {
                    return;
                }
            }
            out.add(path + ": no anyOf branch matches");
            return;
        }
        if (s.has("const") && !s.get("const").equals(v)) {
            out.add(path + ": not the const");
        }
        if (s.has("enum")) {
            boolean found = false;
            for (JsonNode e : s.get("enum")) {
                found |= e.equals(v);
            }
            if (!found) {
                out.add(path + ": " + v + " not in enum");
            }
        }
        String type = s.path("type").asText("");
        boolean ok = switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> true;
        };
        if (!ok) {
            out.add(path + ": " + v + " is not " + type);
            return;
        }
        if (v.isObject()) {
            for (JsonNode r : s.path("required")) {
                if (!v.has(r.asText())) {
                    out.add(path + ": missing required " + r.asText());
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode ps = s.path("properties").get(e.getKey());
                if (ps != null) {
                    check(e.getValue(), ps, root, path + "." + e.getKey(), out);
                } else if (s.path("additionalProperties").isBoolean() && !s.get("additionalProperties").asBoolean()) {
                    out.add(path + ": undeclared " + e.getKey());
                }
            }
        }
        if (v.isArray()) {
            if (v.size() < s.path("minItems").asInt(0)) {
                out.add(path + ": fewer than minItems");
            }
            for (int i = 0; i < v.size(); i++) {
                if (s.has("items")) {
                    check(v.get(i), s.get("items"), root, path + "[" + i + "]", out);
                }
            }
        }
    }

    private static JsonNode withRoot(JsonNode branch, JsonNode root) {
        if (!branch.has("$ref")) {
            return branch;
        }
        return root.at(branch.get("$ref").asText().substring(1));
    }
}
