package ai.cortensor.portal.dialects.messages;

import static ai.cortensor.portal.dialects.messages.Checks.absent;
import static ai.cortensor.portal.dialects.messages.Checks.invalid;
import static ai.cortensor.portal.dialects.messages.Checks.missing;
import static ai.cortensor.portal.dialects.messages.Checks.object;
import static ai.cortensor.portal.dialects.messages.Checks.type;
import static ai.cortensor.portal.dialects.messages.Checks.unsupported;
import static ai.cortensor.portal.dialects.messages.Checks.unsupportedContent;

import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolCall;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.gateway.Schemas;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Anthropic Messages body ({@code POST /v1/messages}, or the {@code count_tokens} body, which has no
 * {@code max_tokens}, {@code stream} or sampling) into a {@link Conversation}: {@code system} first, then each
 * message ({@code user}, {@code assistant}, or a later {@code system} instruction), a user message's {@code tool_result} blocks becoming tool messages and an assistant's {@code thinking}
 * and {@code tool_use} blocks its reasoning and tool calls. Every field is honoured or refused with a 400 naming
 * it; docs/api.md has the table.
 */
final class MessagesParser {
    enum Mode { CREATE, COUNT }

    /** A parsed body; {@code maxTokens} is null and {@code stream} false for {@code count_tokens}. */
    record Parsed(String model, Conversation conversation, boolean stream, Integer maxTokens,
                  InferenceRequest.Sampling sampling, boolean omitThinking, Origins origins) {}

    private static final Set<String> CREATE_FIELDS = Set.of("model", "messages", "max_tokens", "system", "metadata",
            "stop_sequences", "stream", "temperature", "top_p", "top_k", "thinking", "tool_choice", "tools",
            "service_tier", "cache_control", "output_config", "speed", "inference_geo", "container", "mcp_servers",
            "context_management", "diagnostics");
    private static final Set<String> COUNT_FIELDS = Set.of("model", "messages", "system", "thinking", "tool_choice",
            "tools", "cache_control", "output_config", "speed", "mcp_servers", "context_management");
    /** Fields of the Messages API this gateway cannot honour, refused whenever they carry a value. */
    private static final Map<String, String> REFUSED = Map.of(
            "container", "Containers (code execution, skills) are not offered: this gateway runs no tools.",
            "mcp_servers", "MCP servers are not supported: this gateway connects to none. Define custom tools and "
                    + "call the servers yourself.",
            "context_management", "Context management (clearing earlier tool results or thinking) is not supported; "
                    + "send the conversation as the model should see it.",
            "diagnostics", "'diagnostics' is not supported.",
            "inference_geo", "Choosing where inference runs is not supported.");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content");
    private static final Set<String> TEXT_FIELDS = Set.of("type", "text", "cache_control", "citations");
    private static final Set<String> THINKING_FIELDS = Set.of("type", "thinking", "signature");
    private static final Set<String> TOOL_USE_FIELDS = Set.of("type", "id", "name", "input", "cache_control", "caller");
    private static final Set<String> TOOL_RESULT_FIELDS = Set.of("type", "tool_use_id", "content", "is_error",
            "cache_control");
    /** Blocks that carry what only Anthropic's own servers produce or read. */
    private static final Set<String> SERVER_BLOCKS = Set.of("server_tool_use", "web_search_tool_result",
            "web_fetch_tool_result", "code_execution_tool_result", "bash_code_execution_tool_result",
            "text_editor_code_execution_tool_result", "tool_search_tool_result", "container_upload", "mcp_tool_use",
            "mcp_tool_result", "compaction");
    private static final Set<String> MEDIA_BLOCKS = Set.of("image", "document", "search_result");

    private MessagesParser() {}

    static Parsed parse(byte[] body, Mode mode) {
        JsonNode root = read(body);
        boolean create = mode == Mode.CREATE;
        Checks.only(root, "", create ? CREATE_FIELDS : COUNT_FIELDS);
        for (Map.Entry<String, String> r : REFUSED.entrySet()) {
            JsonNode v = root.get(r.getKey());
            if (!absent(v) && !(v.isArray() && v.isEmpty())) {
                throw unsupported(r.getKey(), r.getValue());
            }
        }
        String model = Checks.requiredString(root, "model", "model");
        if (model.isBlank()) {
            throw invalid("model", "String should have at least 1 character");
        }
        Integer maxTokens = null;
        if (create) {
            if (absent(root.get("max_tokens"))) {
                throw missing("max_tokens");
            }
            maxTokens = Checks.optionalInt(root, "max_tokens", "max_tokens", 1, Integer.MAX_VALUE);
        }
        boolean stream = create && Boolean.TRUE.equals(Checks.optionalBool(root, "stream", "stream"));
        List<Message> messages = new ArrayList<>();
        Origins.Builder origins = new Origins.Builder();
        String system = system(root.get("system"));
        if (system != null && !system.isEmpty()) {
            messages.add(Message.system(system));
            origins.add("system", List.of());
        }
        messages.addAll(messages(root.get("messages"), origins));
        List<Tool> tools = MessagesTools.tools(root.get("tools"));
        MessagesTools.Choice choice = MessagesTools.choice(root.get("tool_choice"), tools);
        Thinking thinking = thinking(root.get("thinking"), maxTokens);
        JsonNode output = root.get("output_config");
        String effort = effort(output);
        ResponseFormat format = format(output);
        Checks.cacheControl(root, "");
        speed(root);
        InferenceRequest.Sampling sampling = InferenceRequest.Sampling.DEFAULT;
        if (create) {
            metadata(root.get("metadata"));
            serviceTier(root);
            sampling = new InferenceRequest.Sampling(Checks.optionalNumber(root, "temperature", "temperature", 0, 1),
                    Checks.optionalNumber(root, "top_p", "top_p", 0, 1),
                    Checks.optionalInt(root, "top_k", "top_k", 0, Integer.MAX_VALUE), null, null, stops(root));
        }
        Conversation conversation = new Conversation(messages, tools, choice.choice(), choice.parallel(), format,
                thinking.reasoning(effort));
        return new Parsed(model, conversation, stream, maxTokens, sampling, thinking.omit(), origins.build());
    }

    private static JsonNode read(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalidRequest("invalid_json", null, "The request body is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalidRequest("invalid_json", null, "The request body could not be read.");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalidRequest("invalid_json", null, "The request body must be a JSON object.");
        }
        return root;
    }

    // ---- system and messages --------------------------------------------------------------------------------

    /** A string or text blocks (joined with a newline); null when absent. */
    private static String system(JsonNode v) {
        if (absent(v)) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (!v.isArray()) {
            throw type("system", "a valid string or a list of text blocks");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.size(); i++) {
            String at = "system[" + i + "]";
            JsonNode block = object(v.get(i), at);
            String kind = Checks.requiredString(block, "type", at + ".type");
            if (!kind.equals("text")) {
                throw unsupportedContent(at + ".type", "Only text blocks are allowed in 'system'.");
            }
            if (i > 0) {
                b.append('\n');
            }
            b.append(text(block, at));
        }
        return b.toString();
    }

    /** One client message, read: its text, reasoning, tool uses (assistant) or tool results (user). */
    private record Turn(Message.Role role, String text, boolean hasText, String thinking, List<ToolCall> uses,
                        List<Integer> useBlocks, List<Result> results) {
        boolean assistant() {
            return role == Message.Role.ASSISTANT;
        }
    }

    private record Result(String toolUseId, String content, int block) {}

    private static List<Message> messages(JsonNode arr, Origins.Builder origins) {
        if (absent(arr)) {
            throw missing("messages");
        }
        if (!arr.isArray()) {
            throw type("messages", "a valid list");
        }
        if (arr.isEmpty()) {
            throw invalid("messages", "At least one message is required.");
        }
        List<Turn> turns = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            turns.add(turn(arr.get(i), "messages[" + i + "]"));
        }
        int last = turns.size() - 1;
        if (turns.get(last).assistant()) {
            throw unsupported("messages[" + last + "]", "A final assistant message (prefill) is not supported: the "
                    + "models answer in a new turn after it, so its text would not be continued. End with a user "
                    + "message.");
        }
        pairToolUses(turns);
        List<Message> out = new ArrayList<>(arr.size() + 2);
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            String at = "messages[" + i + "]";
            if (t.role() == Message.Role.SYSTEM) {
                out.add(Message.system(t.text()));
                origins.add(at, List.of());
                continue;
            }
            if (t.assistant()) {
                out.add(new Message(Message.Role.ASSISTANT, t.text(), t.thinking(), t.uses(), null));
                origins.add(at, t.useBlocks());
                continue;
            }
            for (Result r : t.results()) {
                out.add(Message.tool(r.toolUseId(), r.content()));
                origins.add(at + ".content[" + r.block() + "]", List.of());
            }
            if (t.hasText() || t.results().isEmpty()) {
                out.add(Message.user(t.text()));
                origins.add(at, List.of());
            }
        }
        return out;
    }

    /**
     * As Anthropic requires: every tool_use is answered by a tool_result in the next message, and every tool_result
     * answers a tool_use of the message before it (the templates render results against their calls).
     */
    private static void pairToolUses(List<Turn> turns) {
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            if (t.results().isEmpty()) {
                continue;
            }
            Turn prev = i > 0 ? turns.get(i - 1) : null;
            Set<String> ids = new HashSet<>();
            if (prev != null && prev.assistant()) {
                prev.uses().forEach(u -> ids.add(u.id()));
            }
            for (Result r : t.results()) {
                if (!ids.contains(r.toolUseId())) {
                    throw invalid("messages[" + i + "].content[" + r.block() + "].tool_use_id", "unexpected "
                            + "tool_use_id found in tool_result blocks: " + r.toolUseId() + ". Each tool_result block "
                            + "must have a corresponding tool_use block in the previous message.");
                }
            }
        }
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            if (!t.assistant() || t.uses().isEmpty()) {
                continue;
            }
            Set<String> answered = new HashSet<>();
            turns.get(i + 1).results().forEach(r -> answered.add(r.toolUseId())); // the last turn is a user turn
            for (ToolCall u : t.uses()) {
                if (!answered.contains(u.id())) {
                    throw invalid("messages[" + (i + 1) + "]", "tool_use ids were found without tool_result blocks "
                            + "immediately after: " + u.id() + ". Each tool_use block must have a corresponding "
                            + "tool_result block in the next message.");
                }
            }
        }
    }

    private static Turn turn(JsonNode m, String at) {
        object(m, at);
        Checks.only(m, at, MESSAGE_FIELDS);
        String roleName = Checks.requiredString(m, "role", at + ".role");
        Message.Role role = switch (roleName) {
            case "user" -> Message.Role.USER;
            case "assistant" -> Message.Role.ASSISTANT;
            case "system" -> Message.Role.SYSTEM;
            default -> throw invalid(at + ".role", "Input should be 'user', 'assistant' or 'system'");
        };
        boolean assistant = role == Message.Role.ASSISTANT;
        JsonNode content = m.get("content");
        if (absent(content)) {
            throw missing(at + ".content");
        }
        if (content.isTextual()) {
            return new Turn(role, content.asText(), true, null, List.of(), List.of(), List.of());
        }
        if (!content.isArray()) {
            throw type(at + ".content", "a valid string or a list of content blocks");
        }
        if (content.isEmpty()) {
            throw invalid(at + ".content", "List should have at least 1 item");
        }
        StringBuilder text = new StringBuilder();
        boolean hasText = false;
        StringBuilder thinking = null;
        List<ToolCall> uses = new ArrayList<>();
        List<Integer> useBlocks = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        for (int j = 0; j < content.size(); j++) {
            String p = at + ".content[" + j + "]";
            JsonNode block = object(content.get(j), p);
            String kind = Checks.requiredString(block, "type", p + ".type");
            if (role == Message.Role.SYSTEM && !kind.equals("text")) {
                throw unsupportedContent(p + ".type", "Only text blocks are allowed in system messages.");
            }
            switch (kind) {
                case "text" -> {
                    if (hasText) {
                        text.append('\n');
                    }
                    text.append(text(block, p));
                    hasText = true;
                }
                case "tool_result" -> {
                    if (assistant) {
                        throw invalid(p + ".type", "tool_result blocks are only allowed in user messages.");
                    }
                    if (hasText) {
                        throw invalid(p, "tool_result blocks must come before any other content of the message.");
                    }
                    results.add(toolResult(block, p, j));
                }
                case "tool_use" -> {
                    if (!assistant) {
                        throw invalid(p + ".type", "tool_use blocks are only allowed in assistant messages.");
                    }
                    uses.add(toolUse(block, p));
                    useBlocks.add(j);
                }
                case "thinking" -> {
                    if (!assistant) {
                        throw invalid(p + ".type", "thinking blocks are only allowed in assistant messages.");
                    }
                    Checks.only(block, p, THINKING_FIELDS);
                    String t = Checks.requiredString(block, "thinking", p + ".thinking");
                    Checks.requiredString(block, "signature", p + ".signature");
                    thinking = thinking == null ? new StringBuilder(t) : thinking.append('\n').append(t);
                }
                case "redacted_thinking" -> throw unsupportedContent(p + ".type", "redacted_thinking blocks hold "
                        + "reasoning encrypted by Anthropic's models, which the models here cannot read. Remove them.");
                default -> throw blockType(kind, p + ".type");
            }
        }
        return new Turn(role, text.toString(), hasText, thinking == null ? null : thinking.toString(),
                List.copyOf(uses), List.copyOf(useBlocks), List.copyOf(results));
    }

    private static ApiError blockType(String kind, String at) {
        if (MEDIA_BLOCKS.contains(kind)) {
            return unsupportedContent(at, "'" + kind + "' blocks are not supported: the models here read text only.");
        }
        if (SERVER_BLOCKS.contains(kind)) {
            return unsupportedContent(at, "'" + kind + "' blocks belong to server tools, which are not offered.");
        }
        return invalid(at, "Unknown content block type '" + kind + "'.");
    }

    private static String text(JsonNode block, String at) {
        Checks.only(block, at, TEXT_FIELDS);
        Checks.cacheControl(block, at);
        JsonNode citations = block.get("citations");
        if (!absent(citations) && !(citations.isArray() && citations.isEmpty())) {
            throw unsupported(at + ".citations", "Citations are not supported.");
        }
        return Checks.requiredString(block, "text", at + ".text");
    }

    private static ToolCall toolUse(JsonNode block, String at) {
        Checks.only(block, at, TOOL_USE_FIELDS);
        Checks.cacheControl(block, at);
        String id = Checks.requiredString(block, "id", at + ".id");
        String name = Checks.requiredString(block, "name", at + ".name");
        JsonNode input = block.get("input");
        if (absent(input)) {
            throw missing(at + ".input");
        }
        object(input, at + ".input");
        JsonNode caller = block.get("caller");
        if (!absent(caller)) {
            object(caller, at + ".caller");
            if (!"direct".equals(caller.path("type").asText(null))) {
                throw unsupported(at + ".caller", "Only 'direct' tool calls exist here: code execution, which could "
                        + "call tools programmatically, is not offered.");
            }
        }
        return new ToolCall(id, name, input.toString(), input);
    }

    /** A tool_result: its content (a string or text blocks), marked when {@code is_error} says the tool failed. */
    private static Result toolResult(JsonNode block, String at, int index) {
        Checks.only(block, at, TOOL_RESULT_FIELDS);
        Checks.cacheControl(block, at);
        String id = Checks.requiredString(block, "tool_use_id", at + ".tool_use_id");
        JsonNode c = block.get("content");
        String content;
        if (absent(c)) {
            content = "";
        } else if (c.isTextual()) {
            content = c.asText();
        } else if (c.isArray()) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < c.size(); k++) {
                String p = at + ".content[" + k + "]";
                JsonNode part = object(c.get(k), p);
                String kind = Checks.requiredString(part, "type", p + ".type");
                if (!kind.equals("text")) {
                    throw blockType(kind, p + ".type");
                }
                if (k > 0) {
                    b.append('\n');
                }
                b.append(text(part, p));
            }
            content = b.toString();
        } else {
            throw type(at + ".content", "a valid string or a list of text blocks");
        }
        if (Boolean.TRUE.equals(Checks.optionalBool(block, "is_error", at + ".is_error"))) {
            content = content.isEmpty() ? "Error" : "Error: " + content;
        }
        return new Result(id, content, index);
    }

    // ---- thinking, output_config ----------------------------------------------------------------------------

    /** The {@code thinking} setting: on, off or the model's default ({@code thinking} null), and its budget. */
    private record Thinking(Boolean thinking, Integer budget, boolean omit) {
        static final Thinking OFF = new Thinking(false, null, false);

        /**
         * Thinking off is off everywhere it can be (gpt-oss always reasons, at low effort). On, the effort is
         * {@code output_config.effort}, else the budget's: under 4,096 tokens low, under 16,384 medium, else high.
         */
        Reasoning reasoning(String effort) {
            if (Boolean.FALSE.equals(thinking)) {
                return new Reasoning(null, false);
            }
            if (effort == null && budget != null) {
                effort = budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
            }
            return new Reasoning(effort, thinking);
        }
    }

    private static Thinking thinking(JsonNode v, Integer maxTokens) {
        if (absent(v)) {
            return Thinking.OFF;
        }
        object(v, "thinking");
        String kind = Checks.requiredString(v, "type", "thinking.type");
        return switch (kind) {
            case "disabled" -> {
                Checks.only(v, "thinking", Set.of("type"));
                yield Thinking.OFF;
            }
            case "enabled" -> {
                Checks.only(v, "thinking", Set.of("type", "budget_tokens", "display"));
                if (absent(v.get("budget_tokens"))) {
                    throw missing("thinking.budget_tokens");
                }
                int budget = Checks.optionalInt(v, "budget_tokens", "thinking.budget_tokens", 1024, Integer.MAX_VALUE);
                if (maxTokens != null && budget >= maxTokens) {
                    throw invalid("max_tokens", "max_tokens must be greater than thinking.budget_tokens");
                }
                yield new Thinking(true, budget, omitted(v));
            }
            case "adaptive" -> {
                Checks.only(v, "thinking", Set.of("type", "display"));
                yield new Thinking(null, null, omitted(v));
            }
            default -> throw invalid("thinking.type", "Input should be 'enabled', 'adaptive' or 'disabled'");
        };
    }

    /** {@code display}: {@code summarized} (the reasoning as written: nothing here summarises) or {@code omitted}. */
    private static boolean omitted(JsonNode v) {
        String display = Checks.optionalString(v, "display", "thinking.display");
        if (display == null || display.equals("summarized")) {
            return false;
        }
        if (display.equals("omitted")) {
            return true;
        }
        throw invalid("thinking.display", "Input should be 'summarized' or 'omitted'");
    }

    /** {@code output_config.effort} as a reasoning effort: xhigh and max are the families' high. */
    private static String effort(JsonNode output) {
        if (absent(output)) {
            return null;
        }
        object(output, "output_config");
        Checks.only(output, "output_config", Set.of("effort", "format"));
        String e = Checks.optionalString(output, "effort", "output_config.effort");
        if (e == null) {
            return null;
        }
        return switch (e) {
            case "low", "medium", "high" -> e;
            case "xhigh", "max" -> "high";
            default -> throw invalid("output_config.effort", "Input should be 'low', 'medium', 'high', 'xhigh' or "
                    + "'max'");
        };
    }

    /** {@code output_config.format}: {@code {"type":"json_schema","schema":{…}}}, validated and retried like OpenAI's. */
    private static ResponseFormat format(JsonNode output) {
        JsonNode f = absent(output) ? null : output.get("format");
        if (absent(f)) {
            return ResponseFormat.TEXT;
        }
        object(f, "output_config.format");
        Checks.only(f, "output_config.format", Set.of("type", "schema"));
        String kind = Checks.requiredString(f, "type", "output_config.format.type");
        if (!kind.equals("json_schema")) {
            throw invalid("output_config.format.type", "Input should be 'json_schema'");
        }
        JsonNode schema = f.get("schema");
        if (absent(schema)) {
            throw missing("output_config.format.schema");
        }
        object(schema, "output_config.format.schema");
        Schemas.check(schema, "output_config.format.schema");
        return new ResponseFormat.JsonSchema("output", null, schema, true);
    }

    // ---- the rest -------------------------------------------------------------------------------------------

    private static List<String> stops(JsonNode root) {
        JsonNode s = root.get("stop_sequences");
        if (absent(s)) {
            return null;
        }
        if (!s.isArray()) {
            throw type("stop_sequences", "a valid list");
        }
        if (s.size() > 4) {
            throw unsupported("stop_sequences", "At most 4 stop sequences are supported by the routers, got "
                    + s.size() + ".");
        }
        List<String> out = new ArrayList<>(s.size());
        for (int i = 0; i < s.size(); i++) {
            JsonNode x = s.get(i);
            if (!x.isTextual()) {
                throw type("stop_sequences[" + i + "]", "a valid string");
            }
            if (x.asText().isEmpty()) {
                throw invalid("stop_sequences[" + i + "]", "Stop sequences must not be empty.");
            }
            out.add(x.asText());
        }
        return out.isEmpty() ? null : List.copyOf(out);
    }

    /** {@code metadata.user_id}: accepted (at most 256 characters); no per-end-user policy applies here. */
    private static void metadata(JsonNode v) {
        if (absent(v)) {
            return;
        }
        object(v, "metadata");
        Checks.only(v, "metadata", Set.of("user_id"));
        String user = Checks.optionalString(v, "user_id", "metadata.user_id");
        if (user != null && user.length() > 256) {
            throw invalid("metadata.user_id", "String should have at most 256 characters");
        }
    }

    /** One tier serves every request: {@code auto} and {@code standard_only} both get it. */
    private static void serviceTier(JsonNode root) {
        String tier = Checks.optionalString(root, "service_tier", "service_tier");
        if (tier != null && !tier.equals("auto") && !tier.equals("standard_only")) {
            throw invalid("service_tier", "Input should be 'auto' or 'standard_only'");
        }
    }

    private static void speed(JsonNode root) {
        String speed = Checks.optionalString(root, "speed", "speed");
        if (speed == null || speed.equals("standard")) {
            return;
        }
        if (speed.equals("fast")) {
            throw unsupported("speed", "Only the 'standard' speed is offered.");
        }
        throw invalid("speed", "Input should be 'standard' or 'fast'");
    }
}
