package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.Gemma4Values.QUOTE;
import static ai.cortensor.portal.families.Gemma4Values.dictsort;
import static ai.cortensor.portal.families.Gemma4Values.pyStr;
import static ai.cortensor.portal.families.JinjaValues.truthy;
import static ai.cortensor.portal.families.Gemma4Values.upper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A tool as the Gemma 4 template declares it ({@code format_function_declaration} and {@code format_parameters}):
 * {@code declaration:NAME{description:<|"|>…<|"|>,parameters:{properties:{…},required:[…],type:<|"|>OBJECT<|"|>}}}
 * with properties in {@code dictsort} order and types upper-cased as Python prints them (a union type
 * {@code ["string","null"]} prints {@code ['STRING', 'NULL']}, as the template does). Every client string passes
 * through {@code text} (the family's neutraliser).
 *
 * <p>Two deliberate departures, neither reached by a well-formed OpenAI tool: a {@code description} that is JSON
 * {@code null} prints nothing (Jinja would print {@code None}), and a {@code parameters} (or {@code response}) object
 * without {@code type} is still closed with its {@code }} (the template leaves the brace open, breaking the
 * declaration), the parameters as {@code type:<|"|>OBJECT<|"|>}, what a function's parameters always are.
 */
final class Gemma4Declarations {
    private static final Set<String> STANDARD_KEYS =
            Set.of("description", "type", "properties", "required", "nullable");

    private final UnaryOperator<String> text;
    private final StringBuilder b = new StringBuilder();

    private Gemma4Declarations(UnaryOperator<String> text) {
        this.text = text;
    }

    /** {@code <|tool>declaration:…<tool|>} for one tool. */
    static String declare(Tool tool, UnaryOperator<String> text) {
        Gemma4Declarations d = new Gemma4Declarations(text);
        d.function(tool);
        return "<|tool>" + Gemma4Values.trim(d.b.toString()) + "<tool|>";
    }

    private void function(Tool tool) {
        JsonNode fn = tool.definition() == null ? MissingNode.getInstance() : tool.definition().path("function");
        JsonNode description = fn.path("description");
        String desc = description.isMissingNode() && tool.description() != null ? tool.description()
                : description.isNull() ? "" : pyStr(description);
        b.append("declaration:").append(text.apply(tool.name())).append("{description:").append(QUOTE)
                .append(text.apply(desc)).append(QUOTE);
        JsonNode params = fn.has("parameters") || tool.definition() != null ? fn.path("parameters") : tool.parameters();
        if (params.isObject() && truthy(params)) {
            b.append(",parameters:{");
            if (truthy(params.path("properties")) && params.get("properties").isObject()) {
                b.append("properties:{");
                parameters(params.get("properties"), false);
                b.append("},");
            }
            if (truthy(params.path("required"))) {
                b.append("required:");
                required(params.get("required"));
                b.append(',');
            }
            b.append("type:").append(QUOTE)
                    .append(truthy(params.path("type")) ? text.apply(upper(params.get("type"))) : "OBJECT")
                    .append(QUOTE).append('}');
        }
        if (fn.has("response")) {
            JsonNode response = fn.get("response");
            b.append(",response:{");
            if (truthy(response.path("description"))) {
                b.append("description:").append(QUOTE).append(text.apply(pyStr(response.get("description"))))
                        .append(QUOTE).append(',');
            }
            if (upper(response.path("type")).equals("OBJECT")) {
                b.append("type:").append(QUOTE).append("OBJECT").append(QUOTE);
            }
            b.append('}');
        }
        b.append('}');
    }

    /** {@code format_parameters(properties, required, filter_keys)}; {@code required} is unused by the macro. */
    private void parameters(JsonNode properties, boolean filterKeys) {
        boolean foundFirst = false;
        for (Map.Entry<String, JsonNode> e : dictsort(properties)) {
            String key = e.getKey();
            if (filterKeys && STANDARD_KEYS.contains(key)) {
                continue;
            }
            if (foundFirst) {
                b.append(',');
            }
            foundFirst = true;
            property(key, e.getValue());
        }
    }

    private void property(String key, JsonNode value) {
        b.append(text.apply(key)).append(":{");
        boolean comma = false;
        if (truthy(get(value, "description"))) {
            b.append("description:").append(QUOTE).append(text.apply(pyStr(value.get("description")))).append(QUOTE);
            comma = true;
        }
        String type = upper(get(value, "type"));
        if (type.equals("STRING")) {
            if (truthy(get(value, "enum"))) {
                comma = comma(comma);
                b.append("enum:");
                Gemma4Values.format(b, value.get("enum"), true, text);
            }
        } else if (type.equals("ARRAY")) {
            JsonNode items = get(value, "items");
            if (items.isObject() && truthy(items)) {
                comma = comma(comma);
                b.append("items:{");
                items(items);
                b.append('}');
            }
        }
        if (truthy(get(value, "nullable"))) {
            comma = comma(comma);
            b.append("nullable:true");
        }
        if (type.equals("OBJECT")) {
            comma = comma(comma);
            b.append("properties:{");
            if (get(value, "properties").isObject()) {
                parameters(value.get("properties"), false);
            } else {
                parameters(value, true);
            }
            b.append('}');
            if (truthy(get(value, "required"))) {
                b.append(",required:");
                required(value.get("required"));
            }
        }
        comma(comma);
        b.append("type:").append(QUOTE).append(text.apply(type)).append(QUOTE).append('}');
    }

    /** The {@code items} schema of an array property: its keys in order, {@code null} values skipped. */
    private void items(JsonNode items) {
        boolean foundFirst = false;
        for (Map.Entry<String, JsonNode> e : dictsort(items)) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (foundFirst) {
                b.append(',');
            }
            foundFirst = true;
            switch (e.getKey()) {
                case "properties" -> {
                    b.append("properties:{");
                    if (v.isObject()) {
                        parameters(v, false);
                    }
                    b.append('}');
                }
                case "required" -> {
                    b.append("required:");
                    required(v);
                }
                case "type" -> {
                    b.append("type:");
                    if (v.isTextual()) {
                        b.append(QUOTE).append(text.apply(upper(v))).append(QUOTE);
                    } else {
                        b.append('[');
                        for (int i = 0; i < v.size(); i++) {
                            b.append(i > 0 ? "," : "").append(QUOTE).append(text.apply(upper(v.get(i)))).append(QUOTE);
                        }
                        b.append(']');
                    }
                }
                default -> {
                    b.append(text.apply(e.getKey())).append(':');
                    Gemma4Values.format(b, v, true, text);
                }
            }
        }
    }

    /** {@code [<|"|>a<|"|>,<|"|>b<|"|>]}: each item as Jinja prints it. */
    private void required(JsonNode list) {
        b.append('[');
        if (list.isArray()) {
            for (int i = 0; i < list.size(); i++) {
                b.append(i > 0 ? "," : "").append(QUOTE).append(text.apply(pyStr(list.get(i)))).append(QUOTE);
            }
        }
        b.append(']');
    }

    private boolean comma(boolean comma) {
        if (comma) {
            b.append(',');
        }
        return true;
    }

    /** {@code value['key']} in Jinja: undefined unless {@code value} is a mapping holding it. */
    private static JsonNode get(JsonNode value, String key) {
        return value != null && value.isObject() ? value.path(key) : MissingNode.getInstance();
    }
}
