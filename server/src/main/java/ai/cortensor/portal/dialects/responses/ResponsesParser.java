package ai.cortensor.portal.dialects.responses;

import static ai.cortensor.portal.gateway.Fields.absent;
import static ai.cortensor.portal.gateway.Fields.invalid;
import static ai.cortensor.portal.gateway.Fields.missing;
import static ai.cortensor.portal.gateway.Fields.typeError;
import static ai.cortensor.portal.gateway.Fields.unsupported;

import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.gateway.Fields;
import ai.cortensor.portal.gateway.Schemas;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code POST /v1/responses} body into a {@link ResponsesRequest}. Every top-level field of OpenAI's
 * Responses API is honoured, accepted only at its no-op value, or refused with a 400 naming it
 * ({@code unsupported_parameter}); a field OpenAI does not have is {@code unknown_parameter}. docs/api.md lists every
 * field and what happens to it.
 */
final class ResponsesParser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high");
    private static final Set<String> FIELDS = Set.of("model", "input", "instructions", "stream", "stream_options",
            "max_output_tokens", "temperature", "top_p", "tools", "tool_choice", "parallel_tool_calls", "text",
            "reasoning", "store", "previous_response_id", "metadata", "background", "truncation", "include", "user",
            "safety_identifier", "service_tier", "max_tool_calls", "top_logprobs");
    /** OpenAI fields refused whatever their value (null is absent). */
    private static final Map<String, String> REFUSED = Map.of(
            "prompt", "Reusable prompts (prompt templates stored at OpenAI) are not supported; send 'input' and "
                    + "'instructions'.",
            "conversation", "The Conversations API is not supported; continue a stored response with "
                    + "'previous_response_id'.",
            "context_management", "Server-side context management (compaction) is not supported.",
            "prompt_cache_key", "Prompt caching is not supported.",
            "prompt_cache_retention", "Prompt caching is not supported.",
            "prompt_cache_options", "Prompt caching is not supported.",
            "moderation", "Moderation settings are not supported.",
            "image", "Image generation is not supported.",
            "access_programs", "'access_programs' is not supported.");
    private static final Map<String, String> INCLUDABLE = Map.of(
            "reasoning.encrypted_content", "Encrypted reasoning is not produced: reasoning comes back as "
                    + "'reasoning_text' content, and a stored response continues with 'previous_response_id'.",
            "message.output_text.logprobs", "Log probabilities are not available from the routers.",
            "message.input_image.image_url", "Image inputs are not supported.",
            "computer_call_output.output.image_url", "Built-in tools are not supported.",
            "file_search_call.results", "Built-in tools are not supported.",
            "web_search_call.results", "Built-in tools are not supported.",
            "web_search_call.action.sources", "Built-in tools are not supported.",
            "code_interpreter_call.outputs", "Built-in tools are not supported.");

    private ResponsesParser() {}

    /** {@code storage}: whether stored responses are on ({@code store} defaults to it). */
    static ResponsesRequest parse(byte[] body, boolean storage) {
        JsonNode root = read(body);
        checkFields(root);
        String model = Fields.requiredString(root, "model", "model");
        List<Items.Item> input = Items.input(root.get("input"));
        String instructions = Fields.optionalString(root, "instructions", "instructions");
        boolean stream = Fields.bool(root, "stream", "stream", false);
        streamOptions(root.get("stream_options"));
        Integer maxOutputTokens = Fields.integer(root, "max_output_tokens", 1, Integer.MAX_VALUE);
        Double temperature = Fields.number(root, "temperature", 0, 2);
        Double topP = Fields.number(root, "top_p", 0, 1);

        List<Tool> tools = new ArrayList<>();
        ArrayNode toolsEcho = tools(root.get("tools"), tools);
        JsonNode choiceNode = root.get("tool_choice");
        ToolChoice toolChoice = toolChoice(choiceNode, tools);
        JsonNode toolChoiceEcho = absent(choiceNode) ? TextNode.valueOf("auto") : choiceEcho(toolChoice);
        boolean parallel = Fields.bool(root, "parallel_tool_calls", "parallel_tool_calls", true);

        ObjectNode textEcho = Json.MAPPER.createObjectNode();
        ResponseFormat format = text(root.get("text"), textEcho);
        Reasoning reasoning = reasoning(root.get("reasoning"));

        boolean store = Fields.bool(root, "store", "store", storage);
        if (store && !storage) {
            throw unsupported("store", "Response storage is turned off on this portal: send 'store': false, or leave "
                    + "it out.");
        }
        String previous = Fields.optionalString(root, "previous_response_id", "previous_response_id");
        if (previous != null && !storage) {
            throw unsupported("previous_response_id", "Response storage is turned off on this portal, so there is no "
                    + "previous response to continue: send the whole conversation in 'input'.");
        }
        if (previous != null && previous.isBlank()) {
            throw invalid("previous_response_id", "'previous_response_id' must not be empty.");
        }
        ObjectNode metadata = metadata(root.get("metadata"));
        if (Fields.bool(root, "background", "background", false)) {
            throw unsupported("background", "Background responses are not supported: send the request without "
                    + "'background' (streaming with 'stream': true shows the answer as it is written).");
        }
        truncation(root.get("truncation"));
        include(root.get("include"));
        String user = endUser(root, "user");
        String safety = endUser(root, "safety_identifier");
        serviceTier(root.get("service_tier"));
        Integer maxToolCalls = Fields.integer(root, "max_tool_calls", 1, Integer.MAX_VALUE);
        Integer topLogprobs = Fields.integer(root, "top_logprobs", 0, 20);
        if (topLogprobs != null && topLogprobs != 0) {
            throw unsupported("top_logprobs", "Log probabilities are not available from the routers.");
        }
        return new ResponsesRequest(model, input, instructions, stream, maxOutputTokens, temperature, topP, tools,
                toolsEcho, toolChoice, toolChoiceEcho, parallel, format, textEcho, reasoning, store, previous,
                metadata, user, safety, maxToolCalls);
    }

    private static JsonNode read(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalidRequest("invalid_json", null, "We could not parse the JSON body of your request: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalidRequest("invalid_json", null, "We could not read the body of your request.");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalidRequest("invalid_json", null, "The request body must be a JSON object.");
        }
        return root;
    }

    private static void checkFields(JsonNode root) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String f = e.getKey();
            if (FIELDS.contains(f)) {
                continue;
            }
            String refusal = REFUSED.get(f);
            if (refusal == null) {
                throw Fields.unknown(f);
            }
            if (!absent(e.getValue())) {
                throw unsupported(f, refusal);
            }
        }
    }

    private static void streamOptions(JsonNode opts) {
        if (absent(opts)) {
            return;
        }
        if (!opts.isObject()) {
            throw typeError("stream_options", "an object");
        }
        only(opts, "stream_options", Set.of("include_obfuscation"));
        if (Fields.bool(opts, "include_obfuscation", "stream_options.include_obfuscation", false)) {
            throw unsupported("stream_options.include_obfuscation", "Stream obfuscation is not supported; send "
                    + "'include_obfuscation': false.");
        }
    }

    // ---- tools ------------------------------------------------------------------------------------------------

    /** Function tools in the Responses shape; fills {@code out} and returns the echo of the response object. */
    private static ArrayNode tools(JsonNode arr, List<Tool> out) {
        ArrayNode echo = Json.MAPPER.createArrayNode();
        if (absent(arr)) {
            return echo;
        }
        if (!arr.isArray()) {
            throw typeError("tools", "an array");
        }
        if (arr.size() > 128) {
            throw invalid("tools", "At most 128 tools may be offered, got " + arr.size() + ".");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < arr.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode t = arr.get(i);
            if (!t.isObject()) {
                throw typeError(at, "an object");
            }
            String type = Fields.requiredString(t, "type", at + ".type");
            if (!type.equals("function")) {
                throw unsupported(at + ".type", "Only 'function' tools are supported; '" + type + "' (a built-in "
                        + "tool) is not.");
            }
            if (t.has("function")) {
                throw Fields.invalid(at + ".function", "The Responses API takes function tools flat: "
                        + "{\"type\":\"function\",\"name\":…,\"parameters\":…}, not nested under 'function'.");
            }
            only(t, at, Set.of("type", "name", "description", "parameters", "strict", "async", "defer_loading",
                    "allowed_callers", "output_schema"));
            for (String f : new String[] {"async", "defer_loading"}) {
                if (Fields.bool(t, f, at + "." + f, false)) {
                    throw unsupported(at + "." + f, "'" + f + "' is not supported.");
                }
            }
            for (String f : new String[] {"allowed_callers", "output_schema"}) {
                if (!absent(t.get(f))) {
                    throw unsupported(at + "." + f, "'" + f + "' is not supported.");
                }
            }
            String name = Fields.requiredString(t, "name", at + ".name");
            if (!NAME.matcher(name).matches()) {
                throw invalid(at + ".name", "Invalid function name '" + name + "': use 1 to 64 letters, digits, "
                        + "underscores or dashes.");
            }
            if (!names.add(name)) {
                throw invalid(at + ".name", "Duplicate function name '" + name + "'.");
            }
            String description = Fields.optionalString(t, "description", at + ".description");
            JsonNode params = t.get("parameters");
            if (absent(params)) {
                params = Json.MAPPER.createObjectNode().put("type", "object").set("properties",
                        Json.MAPPER.createObjectNode());
            } else if (!params.isObject()) {
                throw typeError(at + ".parameters", "a JSON schema object");
            } else {
                Schemas.check(params, at + ".parameters");
            }
            boolean strict = Fields.bool(t, "strict", at + ".strict", true); // the Responses API's default
            // the chat-style definition the templates print
            ObjectNode definition = Json.MAPPER.createObjectNode().put("type", "function");
            ObjectNode fn = definition.putObject("function").put("name", name);
            if (description != null) {
                fn.put("description", description);
            }
            fn.set("parameters", params);
            out.add(new Tool(name, description, params, strict, definition));
            ObjectNode e = echo.addObject().put("type", "function").put("name", name);
            e.put("description", description);
            e.set("parameters", params);
            e.put("strict", strict);
        }
        return echo;
    }

    private static ToolChoice toolChoice(JsonNode v, List<Tool> tools) {
        if (absent(v)) {
            return ToolChoice.AUTO;
        }
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> {
                    if (tools.isEmpty()) {
                        throw invalid("tool_choice", "'tool_choice': 'required' needs at least one tool in 'tools'.");
                    }
                    yield ToolChoice.REQUIRED;
                }
                default -> throw invalid("tool_choice", "Invalid value for 'tool_choice': '" + v.asText()
                        + "'. Supported: 'none', 'auto', 'required' or {\"type\":\"function\",\"name\":…}.");
            };
        }
        if (!v.isObject()) {
            throw typeError("tool_choice", "a string or an object");
        }
        String type = Fields.requiredString(v, "type", "tool_choice.type");
        if (!type.equals("function")) {
            throw unsupported("tool_choice.type", "Only {\"type\":\"function\",\"name\":…} tool choices are "
                    + "supported; '" + type + "' is not.");
        }
        only(v, "tool_choice", Set.of("type", "name"));
        String name = Fields.requiredString(v, "name", "tool_choice.name");
        if (tools.stream().noneMatch(t -> t.name().equals(name))) {
            throw invalid("tool_choice.name", "The tool_choice names the function '" + name + "', which is not "
                    + "among the offered tools.");
        }
        return new ToolChoice.Named(name);
    }

    private static JsonNode choiceEcho(ToolChoice c) {
        return switch (c) {
            case ToolChoice.Auto a -> TextNode.valueOf("auto");
            case ToolChoice.None n -> TextNode.valueOf("none");
            case ToolChoice.Required r -> TextNode.valueOf("required");
            case ToolChoice.Named n -> JsonNodeFactory.instance.objectNode().put("type", "function")
                    .put("name", n.name());
        };
    }

    // ---- text, reasoning --------------------------------------------------------------------------------------

    /** {@code text.format} (text, json_object, json_schema) and {@code text.verbosity}; fills the echo. */
    private static ResponseFormat text(JsonNode text, ObjectNode echo) {
        ResponseFormat format = ResponseFormat.TEXT;
        ObjectNode formatEcho = echo.putObject("format");
        if (!absent(text)) {
            if (!text.isObject()) {
                throw typeError("text", "an object");
            }
            only(text, "text", Set.of("format", "verbosity"));
            JsonNode f = text.get("format");
            if (!absent(f)) {
                format = format(f, formatEcho);
            }
            JsonNode verbosity = text.get("verbosity");
            if (!absent(verbosity)) {
                String v = verbosity.isTextual() ? verbosity.asText() : "";
                if (v.equals("low") || v.equals("high")) {
                    throw unsupported("text.verbosity", "Only the default verbosity 'medium' is supported; say how "
                            + "long the answer should be in the instructions.");
                }
                if (!v.equals("medium")) {
                    throw invalid("text.verbosity", "Invalid value for 'text.verbosity': " + verbosity
                            + ". Supported: low, medium, high.");
                }
            }
        }
        if (formatEcho.isEmpty()) {
            formatEcho.put("type", "text");
        }
        echo.put("verbosity", "medium");
        return format;
    }

    private static ResponseFormat format(JsonNode f, ObjectNode echo) {
        if (!f.isObject()) {
            throw typeError("text.format", "an object");
        }
        String type = Fields.requiredString(f, "type", "text.format.type");
        switch (type) {
            case "text" -> {
                only(f, "text.format", Set.of("type"));
                echo.put("type", "text");
                return ResponseFormat.TEXT;
            }
            case "json_object" -> {
                only(f, "text.format", Set.of("type"));
                echo.put("type", "json_object");
                return ResponseFormat.JSON_OBJECT;
            }
            case "json_schema" -> {
                only(f, "text.format", Set.of("type", "name", "schema", "description", "strict"));
                String name = Fields.requiredString(f, "name", "text.format.name");
                if (!NAME.matcher(name).matches()) {
                    throw invalid("text.format.name", "Invalid schema name '" + name + "': use 1 to 64 letters, "
                            + "digits, underscores or dashes.");
                }
                JsonNode schema = f.get("schema");
                if (absent(schema)) {
                    throw missing("text.format.schema");
                }
                if (!schema.isObject()) {
                    throw typeError("text.format.schema", "a JSON schema object");
                }
                Schemas.check(schema, "text.format.schema");
                String description = Fields.optionalString(f, "description", "text.format.description");
                boolean strict = Fields.bool(f, "strict", "text.format.strict", false);
                echo.put("type", "json_schema");
                if (description != null) {
                    echo.put("description", description);
                }
                echo.put("name", name);
                echo.set("schema", schema);
                echo.put("strict", strict);
                return new ResponseFormat.JsonSchema(name, description, schema, strict);
            }
            default -> throw invalid("text.format.type", "Invalid value for 'text.format.type': '" + type
                    + "'. Supported: text, json_object, json_schema.");
        }
    }

    /**
     * {@code reasoning.effort}; summaries are refused: the models' reasoning is returned itself, as
     * {@code reasoning_text} content, and nothing here writes summaries of it.
     */
    private static Reasoning reasoning(JsonNode r) {
        if (absent(r)) {
            return Reasoning.DEFAULT;
        }
        if (!r.isObject()) {
            throw typeError("reasoning", "an object");
        }
        only(r, "reasoning", Set.of("effort", "summary", "generate_summary"));
        for (String f : new String[] {"summary", "generate_summary"}) {
            if (!absent(r.get(f))) {
                throw unsupported("reasoning." + f, "Reasoning summaries are not produced: these models return their "
                        + "reasoning itself, as 'reasoning_text' content of 'reasoning' output items. Leave '" + f
                        + "' out.");
            }
        }
        String effort = Fields.optionalString(r, "effort", "reasoning.effort");
        if (effort != null && !EFFORTS.contains(effort)) {
            throw invalid("reasoning.effort", "Invalid value for 'reasoning.effort': '" + effort
                    + "'. Supported: none, minimal, low, medium, high.");
        }
        return new Reasoning(effort, null);
    }

    // ---- the rest ---------------------------------------------------------------------------------------------

    /** At most 16 string pairs, keys up to 64 and values up to 512 characters, as OpenAI limits them. */
    private static ObjectNode metadata(JsonNode m) {
        if (absent(m)) {
            return Json.MAPPER.createObjectNode();
        }
        if (!m.isObject()) {
            throw typeError("metadata", "an object of string values");
        }
        if (m.size() > 16) {
            throw invalid("metadata", "'metadata' may have at most 16 keys, got " + m.size() + ".");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().length() > 64) {
                throw invalid("metadata", "A 'metadata' key is longer than 64 characters.");
            }
            if (!e.getValue().isTextual()) {
                throw typeError("metadata." + e.getKey(), "a string");
            }
            if (e.getValue().asText().length() > 512) {
                throw invalid("metadata." + e.getKey(), "A 'metadata' value is longer than 512 characters.");
            }
        }
        return (ObjectNode) m;
    }

    private static void truncation(JsonNode t) {
        if (absent(t)) {
            return;
        }
        String v = t.isTextual() ? t.asText() : "";
        if (v.equals("auto")) {
            throw unsupported("truncation", "'truncation': 'auto' is not supported: a conversation longer than the "
                    + "model's context is refused with context_length_exceeded ('disabled', the default).");
        }
        if (!v.equals("disabled")) {
            throw invalid("truncation", "Invalid value for 'truncation': " + t + ". Supported: auto, disabled.");
        }
    }

    private static void include(JsonNode inc) {
        if (absent(inc)) {
            return;
        }
        if (!inc.isArray()) {
            throw typeError("include", "an array");
        }
        for (int i = 0; i < inc.size(); i++) {
            JsonNode v = inc.get(i);
            if (!v.isTextual()) {
                throw typeError("include[" + i + "]", "a string");
            }
            String why = INCLUDABLE.get(v.asText());
            throw why != null ? unsupported("include[" + i + "]", "'" + v.asText() + "' cannot be included: " + why)
                    : invalid("include[" + i + "]", "Invalid value for 'include[" + i + "]': '" + v.asText() + "'.");
        }
    }

    private static String endUser(JsonNode root, String field) {
        String v = Fields.optionalString(root, field, field);
        if (v != null && v.length() > 256) {
            throw invalid(field, "'" + field + "' is longer than 256 characters.");
        }
        return v;
    }

    private static void serviceTier(JsonNode t) {
        if (absent(t)) {
            return;
        }
        String v = t.isTextual() ? t.asText() : "";
        switch (v) {
            case "auto", "default" -> { }
            case "flex", "priority", "scale" -> throw unsupported("service_tier", "Only the 'auto' and 'default' "
                    + "service tiers exist here.");
            default -> throw invalid("service_tier", "Invalid value for 'service_tier': " + t
                    + ". Supported: auto, default, flex, scale, priority.");
        }
    }

    private static void only(JsonNode n, String at, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw Fields.unknown(at + "." + f);
            }
        }
    }
}
