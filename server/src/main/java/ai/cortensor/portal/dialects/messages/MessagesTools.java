package ai.cortensor.portal.dialects.messages;

import static ai.cortensor.portal.dialects.messages.Checks.absent;
import static ai.cortensor.portal.dialects.messages.Checks.invalid;
import static ai.cortensor.portal.dialects.messages.Checks.object;
import static ai.cortensor.portal.dialects.messages.Checks.type;
import static ai.cortensor.portal.dialects.messages.Checks.unsupported;

import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.gateway.Schemas;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Anthropic {@code tools} and {@code tool_choice}. Custom tools ({@code {name, description, input_schema}}) become
 * the {@link Tool}s the families render, each with the OpenAI-style definition the templates print; server tools
 * (web search, bash, computer use, text editor, code execution, …) are refused: this gateway runs no tools.
 */
final class MessagesTools {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Set<String> TOOL_FIELDS = Set.of("type", "name", "description", "input_schema",
            "cache_control", "strict", "eager_input_streaming", "defer_loading", "allowed_callers", "input_examples");
    private static final Set<String> CHOICE_FIELDS = Set.of("type", "name", "disable_parallel_tool_use");

    /** What {@code tool_choice} says: how the model may use the tools, and whether it may call several at once. */
    record Choice(ToolChoice choice, boolean parallel) {
        static final Choice AUTO = new Choice(ToolChoice.AUTO, true);
    }

    private MessagesTools() {}

    static List<Tool> tools(JsonNode arr) {
        if (absent(arr)) {
            return List.of();
        }
        if (!arr.isArray()) {
            throw type("tools", "a valid list");
        }
        List<Tool> out = new ArrayList<>(arr.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < arr.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode t = object(arr.get(i), at);
            String kind = Checks.optionalString(t, "type", at + ".type");
            if (kind != null && !kind.equals("custom")) {
                throw unsupported(at + ".type", "Server tools are not offered: this gateway runs no tools, so '"
                        + kind + "' is not available. Define a custom tool ({\"name\", \"description\", "
                        + "\"input_schema\"}) and run it yourself.");
            }
            Checks.only(t, at, TOOL_FIELDS);
            String name = Checks.requiredString(t, "name", at + ".name");
            if (!NAME.matcher(name).matches()) {
                throw invalid(at + ".name", "String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
            }
            if (!names.add(name)) {
                throw invalid(at + ".name", "Tool names must be unique: '" + name + "' is used twice.");
            }
            String description = Checks.optionalString(t, "description", at + ".description");
            JsonNode schema = t.get("input_schema");
            if (absent(schema)) {
                throw Checks.missing(at + ".input_schema");
            }
            object(schema, at + ".input_schema");
            if (!"object".equals(schema.path("type").asText(null))) {
                throw invalid(at + ".input_schema.type", "Input should be 'object'");
            }
            Schemas.check(schema, at + ".input_schema");
            Checks.cacheControl(t, at);
            Boolean strict = Checks.optionalBool(t, "strict", at + ".strict");
            Checks.optionalBool(t, "eager_input_streaming", at + ".eager_input_streaming"); // streams as written anyway
            if (Boolean.TRUE.equals(Checks.optionalBool(t, "defer_loading", at + ".defer_loading"))) {
                throw unsupported(at + ".defer_loading", "Deferred tool loading needs the tool search tool, which is "
                        + "not offered; send the tool without 'defer_loading'.");
            }
            callers(t.get("allowed_callers"), at + ".allowed_callers");
            JsonNode examples = t.get("input_examples");
            if (!absent(examples) && !(examples.isArray() && examples.isEmpty())) {
                throw unsupported(at + ".input_examples", "Tool input examples are not supported; describe the "
                        + "input in the tool's description instead.");
            }
            out.add(new Tool(name, description, schema, Boolean.TRUE.equals(strict), definition(name, description,
                    schema)));
        }
        return out;
    }

    /** Only the model itself calls tools here; programmatic callers (code execution) do not exist. */
    private static void callers(JsonNode v, String at) {
        if (absent(v)) {
            return;
        }
        if (!v.isArray()) {
            throw type(at, "a valid list");
        }
        for (int j = 0; j < v.size(); j++) {
            if (!"direct".equals(v.get(j).asText(null))) {
                throw unsupported(at + "[" + j + "]", "Only 'direct' callers exist here: code execution, which "
                        + "could call tools programmatically, is not offered.");
            }
        }
    }

    /** The OpenAI-style definition the templates print: {@code {"type":"function","function":{name, description, parameters}}}. */
    private static ObjectNode definition(String name, String description, JsonNode schema) {
        ObjectNode fn = Json.MAPPER.createObjectNode().put("name", name);
        if (description != null) {
            fn.put("description", description);
        }
        fn.set("parameters", schema);
        ObjectNode def = Json.MAPPER.createObjectNode().put("type", "function");
        def.set("function", fn);
        return def;
    }

    static Choice choice(JsonNode v, List<Tool> tools) {
        if (absent(v)) {
            return Choice.AUTO;
        }
        object(v, "tool_choice");
        Checks.only(v, "tool_choice", CHOICE_FIELDS);
        String kind = Checks.requiredString(v, "type", "tool_choice.type");
        Boolean noParallel = Checks.optionalBool(v, "disable_parallel_tool_use", "tool_choice.disable_parallel_tool_use");
        boolean parallel = !Boolean.TRUE.equals(noParallel);
        if (!kind.equals("tool") && v.has("name")) {
            throw Checks.extra("tool_choice.name");
        }
        ToolChoice choice = switch (kind) {
            case "auto" -> ToolChoice.AUTO;
            case "none" -> {
                if (noParallel != null) {
                    throw Checks.extra("tool_choice.disable_parallel_tool_use");
                }
                yield ToolChoice.NONE;
            }
            case "any" -> ToolChoice.REQUIRED;
            case "tool" -> {
                String name = Checks.requiredString(v, "name", "tool_choice.name");
                if (tools.stream().noneMatch(t -> t.name().equals(name))) {
                    throw invalid("tool_choice.name", "Tool '" + name + "' not found in 'tools'.");
                }
                yield new ToolChoice.Named(name);
            }
            default -> throw invalid("tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none'");
        };
        if (choice.forced() && tools.isEmpty()) {
            throw invalid("tool_choice", "tool_choice '" + kind + "' requires 'tools'.");
        }
        return new Choice(choice, parallel);
    }
}
