package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.JinjaValues.truthy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The gpt-oss template's TypeScript-like {@code functions} namespace for the offered tools, reproduced byte for
 * byte from the official template's macros {@code render_tool_namespace} and {@code render_typescript_type} as
 * jinja2 renders them with {@code trim_blocks} and {@code lstrip_blocks}. Values are read with Jinja's semantics:
 * a missing key or a key of a non-object is undefined, truthiness is Python's, {@code join} and string
 * concatenation print Python's {@code str()}. Where the template would raise (a tool without description, a
 * non-string enum default) we print something sensible instead; that is noted at each place.
 */
final class HarmonyTools {
    /** The whitespace the template leaks before a nested property's type ({@code {{ ... }}} has no {@code -}). */
    private static final String NESTED_INDENT = "\n" + " ".repeat(16);
    /** The whitespace the template leaks before a oneOf variant's default comment. */
    private static final String VARIANT_DEFAULT_INDENT = " ".repeat(20);

    private HarmonyTools() {}

    /** {@code render_tool_namespace("functions", tools)}: from {@code ## functions} to {@code } // namespace functions}. */
    static String namespace(List<Tool> tools) {
        StringBuilder b = new StringBuilder(256 * tools.size() + 64);
        b.append("## functions\n\nnamespace functions {\n\n");
        for (Tool t : tools) {
            // The template concatenates "// " + description, which raises when there is none; we omit the line.
            if (t.description() != null) {
                b.append("// ").append(t.description()).append('\n');
            }
            b.append("type ").append(t.name()).append(" = ");
            JsonNode params = t.parameters();
            JsonNode props = get(params, "properties");
            if (truthy(params) && truthy(props) && props.isObject()) {
                JsonNode required = get(params, "required");
                b.append("(_: {\n");
                for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode spec = e.getValue();
                    JsonNode description = get(spec, "description");
                    if (truthy(description)) {
                        b.append("// ").append(str(description)).append('\n');
                    }
                    b.append(e.getKey());
                    if (!contains(required, e.getKey())) {
                        b.append('?');
                    }
                    b.append(": ").append(type(spec));
                    JsonNode dflt = get(spec, "default");
                    if (dflt != null) { // "is defined": a JSON null default is defined
                        // enum / oneOf defaults are concatenated as strings (raises in the template when not a
                        // string; we print Python's str() then), any other default is tojson'd.
                        if (truthy(get(spec, "enum"))) {
                            b.append(", // default: ").append(str(dflt));
                        } else if (truthy(get(spec, "oneOf"))) {
                            b.append("// default: ").append(str(dflt));
                        } else {
                            b.append(", // default: ").append(PyJson.dumps(dflt));
                        }
                    }
                    b.append(",\n"); // the template writes ",\n" after the last parameter too
                }
                b.append("}) => any;\n\n");
            } else {
                b.append("() => any;\n\n");
            }
        }
        return b.append("} // namespace functions").toString();
    }

    /** {@code render_typescript_type(spec)}. */
    static String type(JsonNode spec) {
        JsonNode type = get(spec, "type");
        if (isText(type, "array")) {
            JsonNode items = get(spec, "items");
            String s;
            if (truthy(items)) {
                JsonNode itemType = get(items, "type");
                if (isText(itemType, "string")) {
                    s = "string[]";
                } else if (isText(itemType, "number") || isText(itemType, "integer")) {
                    s = "number[]";
                } else if (isText(itemType, "boolean")) {
                    s = "boolean[]";
                } else {
                    String inner = type(items);
                    s = inner.equals("object | object") || inner.codePointCount(0, inner.length()) > 50
                            ? "any[]" : inner + "[]";
                }
            } else {
                s = "any[]";
            }
            return truthy(get(spec, "nullable")) ? s + " | null" : s;
        }
        if (type != null && type.isArray() && !type.isEmpty()) { // a list of types, e.g. from Union[dict, list]
            return type.size() > 1 ? join(type, " | ") : str(type.get(0));
        }
        JsonNode oneOf = get(spec, "oneOf");
        if (truthy(oneOf)) {
            // The template's "any" fallback for object variants never fires: it sets has_object_variants inside a
            // for loop, and Jinja scoping discards the assignment at the end of the loop.
            return oneOf.isArray() ? variants(oneOf) : "any"; // a oneOf that is not a list: not a schema
        }
        if (isText(type, "string")) {
            JsonNode en = get(spec, "enum");
            if (truthy(en)) {
                return '"' + join(en, "\" | \"") + '"';
            }
            return truthy(get(spec, "nullable")) ? "string | null" : "string";
        }
        if (isText(type, "number") || isText(type, "integer")) {
            return "number";
        }
        if (isText(type, "boolean")) {
            return "boolean";
        }
        if (isText(type, "object")) {
            JsonNode props = get(spec, "properties");
            if (!truthy(props) || !props.isObject()) {
                return "object";
            }
            JsonNode required = get(spec, "required");
            StringBuilder b = new StringBuilder("{\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                b.append(e.getKey());
                if (!contains(required, e.getKey())) {
                    b.append('?');
                }
                b.append(": ").append(NESTED_INDENT).append(type(e.getValue())); // the c06 quirk
                if (it.hasNext()) {
                    b.append(", ");
                }
            }
            return b.append('}').toString();
        }
        return "any";
    }

    private static String variants(JsonNode oneOf) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < oneOf.size(); i++) {
            JsonNode v = oneOf.get(i);
            b.append(type(v));
            JsonNode description = get(v, "description");
            if (truthy(description)) {
                b.append("// ").append(str(description));
            }
            JsonNode dflt = get(v, "default");
            if (dflt != null) {
                b.append(VARIANT_DEFAULT_INDENT).append("// default: ").append(PyJson.dumps(dflt));
            }
            if (i < oneOf.size() - 1) {
                b.append(" | \n");
            }
        }
        return b.toString();
    }

    /** Jinja attribute lookup on a JSON value: null (undefined) unless {@code n} is an object with that key. */
    static JsonNode get(JsonNode n, String key) {
        return n != null && n.isObject() ? n.get(key) : null;
    }

    private static boolean isText(JsonNode n, String s) {
        return n != null && n.isTextual() && n.textValue().equals(s);
    }

    /** Python {@code name in (required or [])}: list membership, substring of a string, key of a dict. */
    private static boolean contains(JsonNode required, String name) {
        if (!truthy(required)) {
            return false;
        }
        if (required.isArray()) {
            for (JsonNode r : required) {
                if (isText(r, name)) {
                    return true;
                }
            }
            return false;
        }
        if (required.isTextual()) {
            return required.textValue().contains(name);
        }
        return required.isObject() && required.has(name);
    }

    private static String join(JsonNode list, String sep) {
        if (!list.isArray()) {
            return str(list);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                b.append(sep);
            }
            b.append(str(list.get(i)));
        }
        return b.toString();
    }

    /** Python's {@code str()} of a JSON value: strings as they are, {@code True}, {@code None}, float repr. */
    static String str(JsonNode n) {
        return n.isTextual() ? n.textValue() : repr(n);
    }

    private static String repr(JsonNode n) {
        switch (n.getNodeType()) {
            case STRING -> {
                String s = n.textValue();
                char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
                StringBuilder b = new StringBuilder().append(q);
                for (char c : s.toCharArray()) {
                    switch (c) {
                        case '\\' -> b.append("\\\\");
                        case '\n' -> b.append("\\n");
                        case '\r' -> b.append("\\r");
                        case '\t' -> b.append("\\t");
                        default -> b.append(c == q ? "\\" + c : String.valueOf(c));
                    }
                }
                return b.append(q).toString();
            }
            case BOOLEAN -> {
                return n.booleanValue() ? "True" : "False";
            }
            case NUMBER -> {
                return n.isIntegralNumber() ? n.bigIntegerValue().toString()
                        : PyJson.pythonRepr(n.isBigDecimal() ? new BigDecimal(n.asText()).doubleValue() : n.doubleValue());
            }
            case ARRAY -> {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0; i < n.size(); i++) {
                    b.append(i > 0 ? ", " : "").append(repr(n.get(i)));
                }
                return b.append(']').toString();
            }
            case OBJECT -> {
                StringBuilder b = new StringBuilder("{");
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); first = false) {
                    Map.Entry<String, JsonNode> e = it.next();
                    b.append(first ? "" : ", ").append(repr(TextNode.valueOf(e.getKey()))).append(": ").append(repr(e.getValue()));
                }
                return b.append('}').toString();
            }
            default -> {
                return "None";
            }
        }
    }
}
