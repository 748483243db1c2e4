package ai.cortensor.portal.dialects.responses;

import static ai.cortensor.portal.gateway.Fields.absent;
import static ai.cortensor.portal.gateway.Fields.invalid;
import static ai.cortensor.portal.gateway.Fields.missing;
import static ai.cortensor.portal.gateway.Fields.typeError;
import static ai.cortensor.portal.gateway.Fields.unsupported;

import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.ToolCall;
import ai.cortensor.portal.gateway.Fields;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The conversation items of the Responses API: what {@code input} may hold (a string, or messages with
 * {@code input_text} / {@code output_text} parts or string content, {@code function_call} and
 * {@code function_call_output} items, and {@code reasoning} items as history), read into typed {@link Item}s, turned
 * into the chat {@link Message}s the families render, and written back in one canonical form for storage. Output
 * items this API returned are valid input items, so a client may send a response's {@code output} back as it is.
 */
final class Items {
    /** One conversation item; {@code at} is where it came from, named in errors ({@code input[2]}). */
    sealed interface Item {
        String at();
    }

    /** A message of any role; the text of its parts joined. */
    record Msg(Message.Role role, String text, String at) implements Item {}

    /** A function call the model made earlier. */
    record Call(String callId, String name, String arguments, String at) implements Item {}

    /** The client's result of a function call. */
    record CallOutput(String callId, String output, String at) implements Item {}

    /** Earlier reasoning of the model; it belongs to the assistant turn that follows it. */
    record Thought(String text, String at) implements Item {}

    private static final Set<String> MESSAGE_FIELDS = Set.of("type", "role", "content", "id", "status");
    private static final Set<String> CALL_FIELDS = Set.of("type", "id", "call_id", "name", "arguments", "status",
            "namespace");
    private static final Set<String> OUTPUT_FIELDS = Set.of("type", "id", "call_id", "output", "status");
    private static final Set<String> REASONING_FIELDS = Set.of("type", "id", "summary", "content",
            "encrypted_content", "status");
    private static final Set<String> STATUSES = Set.of("in_progress", "completed", "incomplete");
    private static final Set<String> MEDIA_PARTS = Set.of("input_image", "input_file", "input_audio");

    private Items() {}

    /** {@code input}: a string (one user message) or a non-empty array of items. */
    static List<Item> input(JsonNode input) {
        if (absent(input)) {
            throw missing("input");
        }
        if (input.isTextual()) {
            return List.of(new Msg(Message.Role.USER, input.asText(), "input"));
        }
        if (!input.isArray()) {
            throw typeError("input", "a string or an array of input items");
        }
        if (input.isEmpty()) {
            throw invalid("input", "'input' must contain at least one item.");
        }
        return list(input, "input");
    }

    /** Items stored or returned earlier (a stored context, a response's output); errors name {@code at}. */
    static List<Item> stored(JsonNode array, String at) {
        try {
            return list(array, "input");
        } catch (ApiError e) {
            throw invalid(at, "The stored conversation of '" + at + "' cannot be read: " + e.getMessage());
        }
    }

    private static List<Item> list(JsonNode array, String at) {
        List<Item> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Item item = item(array.get(i), at + "[" + i + "]");
            if (item != null) {
                out.add(item);
            }
        }
        return out;
    }

    /** One item; null for one that carries nothing (a reasoning item without text). */
    static Item item(JsonNode n, String at) {
        if (!n.isObject()) {
            throw typeError(at, "an object");
        }
        JsonNode t = n.get("type");
        String type;
        if (absent(t)) {
            if (!n.has("role")) {
                throw missing(at + ".type");
            }
            type = "message"; // an "easy" input message: {role, content}
        } else if (!t.isTextual()) {
            throw typeError(at + ".type", "a string");
        } else {
            type = t.asText();
        }
        return switch (type) {
            case "message" -> message(n, at);
            case "function_call" -> call(n, at);
            case "function_call_output" -> callOutput(n, at);
            case "reasoning" -> thought(n, at);
            case "item_reference" -> throw unsupported(at + ".type", "Item references are not supported: send the "
                    + "item itself, or continue a stored response with 'previous_response_id'.");
            default -> throw unsupported(at + ".type", "Input items of type '" + type + "' are not supported (built-in "
                    + "tools are not offered); supported: message, function_call, function_call_output, reasoning.");
        };
    }

    private static Msg message(JsonNode n, String at) {
        only(n, at, MESSAGE_FIELDS);
        status(n, at);
        optionalString(n, "id", at);
        String roleName = Fields.requiredString(n, "role", at + ".role");
        Message.Role role = switch (roleName) {
            case "user" -> Message.Role.USER;
            case "system" -> Message.Role.SYSTEM;
            case "developer" -> Message.Role.DEVELOPER;
            case "assistant" -> Message.Role.ASSISTANT;
            default -> throw invalid(at + ".role", "Invalid value for '" + at + ".role': '" + roleName
                    + "'. Supported: user, system, developer, assistant.");
        };
        JsonNode c = n.get("content");
        if (absent(c)) {
            throw missing(at + ".content");
        }
        if (c.isTextual()) {
            return new Msg(role, c.asText(), at);
        }
        if (!c.isArray()) {
            throw typeError(at + ".content", "a string or an array of content parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            text.append(role == Message.Role.ASSISTANT ? outputPart(c.get(i), at + ".content[" + i + "]")
                    : inputPart(c.get(i), at + ".content[" + i + "]"));
        }
        return new Msg(role, text.toString(), at);
    }

    /** An {@code input_text} part; images, files and audio are refused. */
    private static String inputPart(JsonNode p, String at) {
        if (!p.isObject()) {
            throw typeError(at, "an object");
        }
        String type = Fields.requiredString(p, "type", at + ".type");
        if (MEDIA_PARTS.contains(type)) {
            throw ApiError.invalidRequest("unsupported_content", at, "Only text content parts are supported; '"
                    + type + "' parts (images, files, audio) are not.");
        }
        if (!type.equals("input_text")) {
            throw invalid(at + ".type", "Invalid content part type '" + type + "' here: user, system and developer "
                    + "messages take 'input_text' parts.");
        }
        only(p, at, Set.of("type", "text"));
        return text(p, "text", at);
    }

    /** An assistant's earlier {@code output_text} (without annotations) or {@code refusal} part. */
    private static String outputPart(JsonNode p, String at) {
        if (!p.isObject()) {
            throw typeError(at, "an object");
        }
        String type = Fields.requiredString(p, "type", at + ".type");
        switch (type) {
            case "output_text" -> {
                only(p, at, Set.of("type", "text", "annotations", "logprobs"));
                JsonNode a = p.get("annotations");
                if (!absent(a) && !(a.isArray() && a.isEmpty())) {
                    throw unsupported(at + ".annotations", "Annotations (citations of built-in tools) are not "
                            + "supported; send them as empty.");
                }
                JsonNode lp = p.get("logprobs");
                if (!absent(lp) && !lp.isArray()) {
                    throw typeError(at + ".logprobs", "an array");
                }
                return text(p, "text", at);
            }
            case "refusal" -> {
                only(p, at, Set.of("type", "refusal"));
                return text(p, "refusal", at);
            }
            default -> {
                if (MEDIA_PARTS.contains(type) || type.equals("input_text")) {
                    throw invalid(at + ".type", "Invalid content part type '" + type + "' on an assistant message: "
                            + "use 'output_text' or 'refusal'.");
                }
                throw invalid(at + ".type", "Invalid content part type '" + type + "'. Supported on assistant "
                        + "messages: output_text, refusal.");
            }
        }
    }

    private static Call call(JsonNode n, String at) {
        only(n, at, CALL_FIELDS);
        status(n, at);
        optionalString(n, "id", at);
        if (!absent(n.get("namespace"))) {
            throw unsupported(at + ".namespace", "Namespaced tools are not supported.");
        }
        String callId = Fields.requiredString(n, "call_id", at + ".call_id");
        String name = Fields.requiredString(n, "name", at + ".name");
        JsonNode a = n.get("arguments");
        if (absent(a)) {
            throw missing(at + ".arguments");
        }
        if (!a.isTextual()) {
            throw typeError(at + ".arguments", "a JSON string");
        }
        return new Call(callId, name, a.asText(), at);
    }

    private static CallOutput callOutput(JsonNode n, String at) {
        only(n, at, OUTPUT_FIELDS);
        status(n, at);
        optionalString(n, "id", at);
        String callId = Fields.requiredString(n, "call_id", at + ".call_id");
        JsonNode o = n.get("output");
        if (absent(o)) {
            throw missing(at + ".output");
        }
        if (o.isTextual()) {
            return new CallOutput(callId, o.asText(), at);
        }
        if (!o.isArray()) {
            throw typeError(at + ".output", "a string or an array of input_text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < o.size(); i++) {
            text.append(inputPart(o.get(i), at + ".output[" + i + "]"));
        }
        return new CallOutput(callId, text.toString(), at);
    }

    /** The reasoning item's {@code reasoning_text} content, or else its summaries; null when it has neither. */
    private static Thought thought(JsonNode n, String at) {
        only(n, at, REASONING_FIELDS);
        status(n, at);
        optionalString(n, "id", at);
        if (!absent(n.get("encrypted_content"))) {
            throw unsupported(at + ".encrypted_content", "Encrypted reasoning is neither produced nor read here; send "
                    + "the reasoning item as this API returned it, with its 'reasoning_text' content.");
        }
        String content = texts(n.get("content"), at + ".content", "reasoning_text", "\n");
        String summary = texts(n.get("summary"), at + ".summary", "summary_text", "\n\n");
        String text = !content.isEmpty() ? content : summary;
        return text.isEmpty() ? null : new Thought(text, at);
    }

    private static String texts(JsonNode arr, String at, String partType, String separator) {
        if (absent(arr)) {
            return "";
        }
        if (!arr.isArray()) {
            throw typeError(at, "an array of '" + partType + "' parts");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < arr.size(); i++) {
            String p = at + "[" + i + "]";
            JsonNode part = arr.get(i);
            if (!part.isObject()) {
                throw typeError(p, "an object");
            }
            String type = Fields.requiredString(part, "type", p + ".type");
            if (!type.equals(partType)) {
                throw invalid(p + ".type", "Invalid part type '" + type + "' here; expected '" + partType + "'.");
            }
            only(part, p, Set.of("type", "text"));
            if (!b.isEmpty()) {
                b.append(separator);
            }
            b.append(text(part, "text", p));
        }
        return b.toString();
    }

    private static String text(JsonNode p, String field, String at) {
        JsonNode t = p.get(field);
        if (absent(t)) {
            throw missing(at + "." + field);
        }
        if (!t.isTextual()) {
            throw typeError(at + "." + field, "a string");
        }
        return t.asText();
    }

    private static void status(JsonNode n, String at) {
        JsonNode s = n.get("status");
        if (!absent(s) && !(s.isTextual() && STATUSES.contains(s.asText()))) {
            throw invalid(at + ".status", "Invalid value for '" + at + ".status': " + s
                    + ". Supported: in_progress, completed, incomplete.");
        }
    }

    private static void optionalString(JsonNode n, String field, String at) {
        Fields.optionalString(n, field, at + "." + field);
    }

    private static void only(JsonNode n, String at, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw Fields.unknown(at + "." + f);
            }
        }
    }

    // ---- into chat messages -----------------------------------------------------------------------------------

    /**
     * The chat messages of {@code instructions} (a system message first, when set) and {@code items}: an assistant
     * message, the reasoning before it and the function calls after it make one assistant turn, as a chat template
     * expects; every {@code function_call_output} must answer a call made earlier in the conversation.
     */
    static List<Message> messages(String instructions, List<Item> items) {
        List<Message> out = new ArrayList<>(items.size() + 1);
        if (instructions != null) {
            out.add(Message.system(instructions));
        }
        Set<String> calls = new HashSet<>();
        Turn turn = null;
        for (Item item : items) {
            switch (item) {
                case Thought t -> {
                    if (turn != null) {
                        out.add(turn.message());
                    }
                    turn = new Turn();
                    turn.reasoning = t.text();
                }
                case Msg m when m.role() == Message.Role.ASSISTANT -> {
                    if (turn == null || turn.content != null || !turn.calls.isEmpty()) {
                        if (turn != null) {
                            out.add(turn.message());
                        }
                        turn = new Turn();
                    }
                    turn.content = m.text();
                }
                case Call c -> {
                    if (turn == null) {
                        turn = new Turn();
                    }
                    calls.add(c.callId());
                    turn.calls.add(new ToolCall(c.callId(), c.name(), c.arguments(), Fields.arguments(c.arguments())));
                }
                case Msg m -> {
                    turn = flush(out, turn);
                    out.add(Message.of(m.role(), m.text()));
                }
                case CallOutput o -> {
                    turn = flush(out, turn);
                    if (!calls.contains(o.callId())) {
                        throw invalid(o.at() + ".call_id", "No function call found for function_call_output with "
                                + "call_id '" + o.callId() + "': send the function_call item before its output "
                                + "(or continue the response that made it with 'previous_response_id').");
                    }
                    out.add(Message.tool(o.callId(), o.output()));
                }
            }
        }
        flush(out, turn);
        return out;
    }

    private static Turn flush(List<Message> out, Turn turn) {
        if (turn != null) {
            out.add(turn.message());
        }
        return null;
    }

    /** An assistant turn being assembled from consecutive items. */
    private static final class Turn {
        String reasoning;
        String content;
        final List<ToolCall> calls = new ArrayList<>(2);

        Message message() {
            return new Message(Message.Role.ASSISTANT, content == null ? "" : content, reasoning, calls, null);
        }
    }

    // ---- canonical form, for storage --------------------------------------------------------------------------

    /** {@code items} in the one form this class writes and reads back: string content, plain parts. */
    static ArrayNode canonical(List<Item> items) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Item item : items) {
            ObjectNode o = out.addObject();
            switch (item) {
                case Msg m -> o.put("type", "message").put("role", m.role().wire()).put("content", m.text());
                case Call c -> o.put("type", "function_call").put("call_id", c.callId()).put("name", c.name())
                        .put("arguments", c.arguments());
                case CallOutput c -> o.put("type", "function_call_output").put("call_id", c.callId())
                        .put("output", c.output());
                case Thought t -> {
                    o.put("type", "reasoning");
                    o.putArray("summary");
                    o.putArray("content").addObject().put("type", "reasoning_text").put("text", t.text());
                }
            }
        }
        return out;
    }
}
