package ai.cortensor.portal.dialects.openai;

import static ai.cortensor.portal.gateway.Fields.absent;
import static ai.cortensor.portal.gateway.Fields.invalid;
import static ai.cortensor.portal.gateway.Fields.missing;
import static ai.cortensor.portal.gateway.Fields.typeError;
import static ai.cortensor.portal.gateway.Fields.unsupported;

import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.gateway.Fields;
import ai.cortensor.portal.gateway.Schemas;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * OpenAI {@code tools} (function tools only, unique names, parameters a self-contained JSON schema) and
 * {@code tool_choice} ({@code none}, {@code auto}, {@code required}, or a named function among the tools).
 */
final class ToolsParser {
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private ToolsParser() {}

    static List<Tool> tools(JsonNode arr) {
        if (absent(arr)) {
            return List.of();
        }
        if (!arr.isArray()) {
            throw typeError("tools", "an array");
        }
        if (arr.size() > 128) {
            throw invalid("tools", "At most 128 tools may be offered, got " + arr.size() + ".");
        }
        List<Tool> out = new ArrayList<>(arr.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < arr.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode t = arr.get(i);
            if (!t.isObject()) {
                throw typeError(at, "an object");
            }
            String type = Fields.requiredString(t, "type", at + ".type");
            if (!type.equals("function")) {
                throw unsupported(at + ".type", "Only 'function' tools are supported; '" + type
                        + "' (a built-in tool) is not.");
            }
            JsonNode fn = t.get("function");
            if (absent(fn) || !fn.isObject()) {
                throw missing(at + ".function");
            }
            for (Iterator<String> it = fn.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!Set.of("name", "description", "parameters", "strict").contains(f)) {
                    throw Fields.unknown(at + ".function." + f);
                }
            }
            String name = Fields.requiredString(fn, "name", at + ".function.name");
            if (!FUNCTION_NAME.matcher(name).matches()) {
                throw invalid(at + ".function.name", "Invalid function name '" + name
                        + "': use 1 to 64 letters, digits, underscores or dashes.");
            }
            if (!names.add(name)) {
                throw invalid(at + ".function.name", "Duplicate function name '" + name + "'.");
            }
            JsonNode params = fn.get("parameters");
            if (absent(params)) {
                params = Json.MAPPER.createObjectNode().put("type", "object").set("properties",
                        Json.MAPPER.createObjectNode());
            } else if (!params.isObject()) {
                throw typeError(at + ".function.parameters", "a JSON schema object");
            } else {
                Schemas.check(params, at + ".function.parameters");
            }
            out.add(new Tool(name, Fields.optionalString(fn, "description", at + ".function.description"), params,
                    Fields.bool(fn, "strict", at + ".function.strict", false), (ObjectNode) t));
        }
        return out;
    }

    static ToolChoice toolChoice(JsonNode v, List<Tool> tools) {
        if (absent(v)) {
            return ToolChoice.AUTO;
        }
        if (tools.isEmpty()) {
            throw invalid("tool_choice", "'tool_choice' is only allowed when 'tools' are specified.");
        }
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw invalid("tool_choice", "Invalid value for 'tool_choice': '" + v.asText()
                        + "'. Supported: 'none', 'auto', 'required' or {\"type\":\"function\",\"function\":{\"name\":...}}.");
            };
        }
        if (!v.isObject()) {
            throw typeError("tool_choice", "a string or an object");
        }
        String type = v.path("type").asText("");
        if (!type.equals("function")) {
            throw unsupported("tool_choice.type", "Only {\"type\":\"function\"} tool choices are supported.");
        }
        String name = v.path("function").path("name").asText("");
        if (tools.stream().noneMatch(t -> t.name().equals(name))) {
            throw invalid("tool_choice.function.name", "The tool_choice names the function '" + name
                    + "', which is not among the offered tools.");
        }
        return new ToolChoice.Named(name);
    }
}
