package ai.cortensor.portal.dialects.openai;

import static ai.cortensor.portal.gateway.Fields.absent;
import static ai.cortensor.portal.gateway.Fields.invalid;
import static ai.cortensor.portal.gateway.Fields.missing;
import static ai.cortensor.portal.gateway.Fields.typeError;
import static ai.cortensor.portal.gateway.Fields.unsupported;

import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolCall;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.gateway.Fields;
import ai.cortensor.portal.gateway.Schemas;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the chat part of an OpenAI Chat Completions body into a {@link Conversation}: messages (normalised as vLLM
 * does: {@code content: null} is {@code ""}, tool-call arguments parsed with key order kept), tools, tool_choice,
 * parallel_tool_calls ({@link ToolsParser}), response_format and the reasoning switches. Every field of a message, tool or format is
 * either understood or refused with a 400 naming it.
 */
final class ChatParser {
    private static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "reasoning_content", "reasoning",
            "tool_calls", "tool_call_id", "refusal", "name", "audio", "function_call");

    private ChatParser() {}

    static Conversation conversation(JsonNode root) {
        List<Tool> tools = ToolsParser.tools(root.get("tools"));
        ToolChoice choice = ToolsParser.toolChoice(root.get("tool_choice"), tools);
        boolean parallel = Fields.bool(root, "parallel_tool_calls", "parallel_tool_calls", true);
        return new Conversation(messages(root.get("messages")), tools, choice, parallel,
                responseFormat(root.get("response_format")), reasoning(root));
    }

    static List<Message> messages(JsonNode arr) {
        if (absent(arr)) {
            throw missing("messages");
        }
        if (!arr.isArray()) {
            throw typeError("messages", "an array");
        }
        if (arr.isEmpty()) {
            throw invalid("messages", "'messages' must contain at least one message.");
        }
        List<Message> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            out.add(message(arr.get(i), "messages[" + i + "]"));
        }
        return out;
    }

    private static Message message(JsonNode m, String at) {
        if (!m.isObject()) {
            throw typeError(at, "an object");
        }
        for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!MESSAGE_FIELDS.contains(f)) {
                throw Fields.unknown(at + "." + f);
            }
        }
        String roleName = Fields.requiredString(m, "role", at + ".role");
        Message.Role role = switch (roleName) {
            case "system" -> Message.Role.SYSTEM;
            case "developer" -> Message.Role.DEVELOPER;
            case "user" -> Message.Role.USER;
            case "assistant" -> Message.Role.ASSISTANT;
            case "tool" -> Message.Role.TOOL;
            default -> throw invalid(at + ".role", "Invalid value for '" + at + ".role': '" + roleName
                    + "'. Supported: system, developer, user, assistant, tool.");
        };
        if (!absent(m.get("name"))) {
            throw unsupported(at + ".name", "'name' on messages is not supported: the models' chat templates have no "
                    + "place for participant names. Put the name in the content instead.");
        }
        if (!absent(m.get("audio"))) {
            throw unsupported(at + ".audio", "Audio is not supported.");
        }
        if (!absent(m.get("function_call"))) {
            throw unsupported(at + ".function_call", "'function_call' is deprecated; send 'tool_calls' instead.");
        }
        boolean assistant = role == Message.Role.ASSISTANT;
        for (String f : new String[] {"reasoning_content", "reasoning", "tool_calls", "refusal"}) {
            if (!assistant && !absent(m.get(f))) {
                throw unsupported(at + "." + f, "'" + f + "' is only allowed on assistant messages.");
            }
        }
        if (role != Message.Role.TOOL && !absent(m.get("tool_call_id"))) {
            throw unsupported(at + ".tool_call_id", "'tool_call_id' is only allowed on tool messages.");
        }
        String content = content(m.get("content"), at + ".content", assistant);
        if (!assistant && absent(m.get("content"))) {
            throw missing(at + ".content");
        }
        String refusal = Fields.optionalString(m, "refusal", at + ".refusal");
        if (refusal != null && content.isEmpty()) {
            content = refusal; // an earlier refusal is what the assistant said
        }
        String reasoning = Fields.optionalString(m, "reasoning_content", at + ".reasoning_content");
        if (reasoning == null) {
            reasoning = Fields.optionalString(m, "reasoning", at + ".reasoning");
        }
        List<ToolCall> calls = assistant ? toolCalls(m.get("tool_calls"), at + ".tool_calls") : List.of();
        String toolCallId = null;
        if (role == Message.Role.TOOL) {
            toolCallId = Fields.requiredString(m, "tool_call_id", at + ".tool_call_id");
        }
        return new Message(role, content, reasoning, calls, toolCallId);
    }

    /** A string, null (assistant turns with tool calls), or an array of text (or, for the assistant, refusal) parts. */
    private static String content(JsonNode c, String at, boolean assistant) {
        if (absent(c)) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw typeError(at, "a string or an array of content parts");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String type = part.path("type").asText("");
            boolean text = type.equals("text") && part.path("text").isTextual();
            boolean refusal = assistant && type.equals("refusal") && part.path("refusal").isTextual();
            if (!text && !refusal) {
                throw ApiError.invalidRequest("unsupported_content", at + "[" + i + "]", "Only text content parts are supported"
                        + (type.isEmpty() ? "." : "; '" + type + "' parts (images, audio, files) are not."));
            }
            b.append(text ? part.get("text").asText() : part.get("refusal").asText());
        }
        return b.toString();
    }

    private static List<ToolCall> toolCalls(JsonNode arr, String at) {
        if (absent(arr)) {
            return List.of();
        }
        if (!arr.isArray()) {
            throw typeError(at, "an array");
        }
        List<ToolCall> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            String p = at + "[" + i + "]";
            JsonNode tc = arr.get(i);
            if (!tc.isObject()) {
                throw typeError(p, "an object");
            }
            String type = tc.path("type").asText("function");
            if (!type.equals("function")) {
                throw unsupported(p + ".type", "Only 'function' tool calls are supported.");
            }
            String id = Fields.requiredString(tc, "id", p + ".id");
            JsonNode fn = tc.get("function");
            if (absent(fn) || !fn.isObject()) {
                throw missing(p + ".function");
            }
            String name = Fields.requiredString(fn, "name", p + ".function.name");
            JsonNode a = fn.get("arguments");
            String args;
            if (absent(a)) {
                args = "";
            } else if (a.isTextual()) {
                args = a.asText();
            } else if (a.isObject()) {
                args = a.toString(); // lenient: some clients send the object itself
            } else {
                throw typeError(p + ".function.arguments", "a JSON string");
            }
            out.add(new ToolCall(id, name, args, Fields.arguments(args)));
        }
        return out;
    }

    private static ResponseFormat responseFormat(JsonNode v) {
        if (absent(v)) {
            return ResponseFormat.TEXT;
        }
        if (!v.isObject()) {
            throw typeError("response_format", "an object");
        }
        String type = Fields.requiredString(v, "type", "response_format.type");
        return switch (type) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> {
                JsonNode js = v.get("json_schema");
                if (absent(js) || !js.isObject()) {
                    throw missing("response_format.json_schema");
                }
                String name = Fields.requiredString(js, "name", "response_format.json_schema.name");
                JsonNode schema = js.get("schema");
                if (absent(schema)) {
                    throw missing("response_format.json_schema.schema");
                }
                if (!schema.isObject()) {
                    throw typeError("response_format.json_schema.schema", "a JSON schema object");
                }
                Schemas.check(schema, "response_format.json_schema.schema");
                yield new ResponseFormat.JsonSchema(name, Fields.optionalString(js, "description",
                        "response_format.json_schema.description"), schema,
                        Fields.bool(js, "strict", "response_format.json_schema.strict", false));
            }
            default -> throw invalid("response_format.type", "Invalid value for 'response_format.type': '" + type
                    + "'. Supported: text, json_object, json_schema.");
        };
    }

    private static Reasoning reasoning(JsonNode root) {
        String effort = Fields.optionalString(root, "reasoning_effort", "reasoning_effort");
        if (effort != null && !EFFORTS.contains(effort.toLowerCase(Locale.ROOT))) {
            throw invalid("reasoning_effort", "Invalid value for 'reasoning_effort': '" + effort
                    + "'. Supported: none, minimal, low, medium, high.");
        }
        Boolean thinking = null;
        JsonNode kw = root.get("chat_template_kwargs");
        if (!absent(kw)) {
            if (!kw.isObject()) {
                throw typeError("chat_template_kwargs", "an object");
            }
            for (Iterator<String> it = kw.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("enable_thinking")) {
                    throw unsupported("chat_template_kwargs." + f, "Only 'enable_thinking' is supported in "
                            + "'chat_template_kwargs'.");
                }
            }
            thinking = Fields.bool(kw, "enable_thinking", "chat_template_kwargs.enable_thinking", true);
        }
        return new Reasoning(effort == null ? null : effort.toLowerCase(Locale.ROOT), thinking);
    }
}
