package ai.cortensor.portal.gateway;

import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.families.Family;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.OutputParser;
import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.RenderRefused;
import ai.cortensor.portal.families.Rendered;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.Json;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.Schema;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One chat request's model-facing side: the conversation as the model will see it (structured-output instructions
 * added), its rendering in the model's family, and the checks its answer must pass. A JSON response format, and a
 * forced tool choice on a non-streaming request, are <em>validated</em>: the answer is parsed whole, checked
 * ({@link #problem}) and, if it fails, asked for again ({@link #retry}) with the reason, a bounded number of times.
 */
final class ChatTurn {
    static final String JSON_SCHEMA_INSTRUCTION = "Respond with a single JSON value and nothing else, no prose and no "
            + "code fences. It must validate against this JSON Schema:";
    static final String JSON_OBJECT_INSTRUCTION = "Respond with a single JSON object and nothing else, no prose and no "
            + "code fences.";

    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Family family;
    private final Conversation conversation;
    private final Rendered rendered;
    private final String callIdPrefix;
    private final LocalDate today;
    private final boolean stream;
    /** Client schemas compiled for validation, shared by the attempts of one request (keyed by identity). */
    private final Map<JsonNode, Schema> compiled;

    private ChatTurn(Family family, Conversation conversation, LocalDate today, String callIdPrefix, boolean stream,
                     Map<JsonNode, Schema> compiled) {
        this.family = family;
        this.conversation = conversation;
        this.today = today;
        this.stream = stream;
        this.callIdPrefix = callIdPrefix;
        this.compiled = compiled;
        try {
            this.rendered = family.render(conversation, today);
        } catch (RenderRefused e) {
            throw ApiError.invalidRequest("invalid_value", e.param(), e.getMessage());
        }
    }

    /** Checks what the family can honour, adds the structured-output instruction and renders. */
    static ChatTurn prepare(Family family, String model, Conversation c, LocalDate today, String requestId,
                            boolean stream) {
        Reasoning r = c.reasoning();
        if (!family.reasons()) {
            if (r.effort() != null && !r.effort().equals("none") && !r.effort().equals("minimal")) {
                throw Fields.unsupported("reasoning_effort", "The model '" + model + "' does not reason.");
            }
            if (Boolean.TRUE.equals(r.thinking())) {
                throw Fields.unsupported("chat_template_kwargs.enable_thinking", "The model '" + model
                        + "' does not reason.");
            }
        }
        String callIdPrefix = "call_" + requestId.substring(requestId.indexOf('_') + 1).toLowerCase(Locale.ROOT);
        return new ChatTurn(family, instruct(c), today, callIdPrefix, stream, new IdentityHashMap<>(2));
    }

    /** The conversation with the JSON instruction merged into its first system or developer message. */
    static Conversation instruct(Conversation c) {
        String instruction = switch (c.responseFormat()) {
            case ResponseFormat.Text t -> null;
            case ResponseFormat.JsonObject j -> JSON_OBJECT_INSTRUCTION;
            case ResponseFormat.JsonSchema s -> JSON_SCHEMA_INSTRUCTION + "\n" + s.schema().toString();
        };
        if (instruction == null) {
            return c;
        }
        List<Message> messages = new ArrayList<>(c.messages());
        Message first = messages.get(0);
        if (first.role() == Message.Role.SYSTEM || first.role() == Message.Role.DEVELOPER) {
            String content = first.content().isBlank() ? instruction : first.content() + "\n\n" + instruction;
            messages.set(0, first.withContent(content));
        } else {
            messages.add(0, Message.system(instruction));
        }
        return c.withMessages(messages);
    }

    String prompt() {
        return rendered.prompt();
    }

    /** A parser for this rendering, already fed the prefill by the caller's sink (see {@link #start}). */
    OutputParser parser() {
        return family.parser(rendered);
    }

    /** The gateway-written start of the answer, which the parser must read before the model's text. */
    String prefill() {
        return rendered.prefill();
    }

    /** True when the answer must be checked whole before it is sent, so the router is asked without streaming. */
    boolean validates() {
        return !(conversation.responseFormat() instanceof ResponseFormat.Text)
                || (!stream && conversation.toolChoice().forced());
    }

    int maxToolCalls() {
        return conversation.parallelToolCalls() ? Integer.MAX_VALUE : 1;
    }

    String toolCallId(int index) {
        return callIdPrefix + "_" + index;
    }

    List<String> toolCallIds(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(toolCallId(i));
        }
        return ids;
    }

    /** The whole answer parsed, limited to one call when parallel calls are off, JSON code fences removed. */
    ParsedOutput parse(String raw, boolean cutByLength) {
        ParsedOutput p = ParsedOutput.parse(family, rendered, raw, cutByLength);
        List<ParsedOutput.Call> calls = p.toolCalls().size() > maxToolCalls()
                ? p.toolCalls().subList(0, maxToolCalls()) : p.toolCalls();
        String content = p.content();
        if (content != null && !(conversation.responseFormat() instanceof ResponseFormat.Text)) {
            content = withoutFences(content);
        }
        return new ParsedOutput(content, p.reasoning(), calls, p.finishReason());
    }

    /** Why {@code answer} does not satisfy the request, or null when it does. */
    String problem(ParsedOutput answer) {
        ToolChoice choice = conversation.toolChoice();
        if (choice.forced() && answer.toolCalls().isEmpty()) {
            return "no function was called, but the request requires " + (choice instanceof ToolChoice.Named n
                    ? "a call of '" + n.name() + "'" : "a function call");
        }
        for (ParsedOutput.Call call : answer.toolCalls()) {
            if (choice instanceof ToolChoice.Named n && !n.name().equals(call.name())) {
                return "the function '" + call.name() + "' was called instead of '" + n.name() + "'";
            }
            Tool tool = conversation.tools().stream().filter(t -> t.name().equals(call.name())).findFirst().orElse(null);
            if (tool != null && tool.strict()) {
                String p = schemaProblem(tool.parameters(), call.arguments(), "the arguments of '" + call.name() + "'");
                if (p != null) {
                    return p;
                }
            }
        }
        if (!answer.toolCalls().isEmpty()) {
            return null;
        }
        return switch (conversation.responseFormat()) {
            case ResponseFormat.Text t -> null;
            case ResponseFormat.JsonObject j -> {
                JsonNode v = json(answer.content());
                yield v != null && v.isObject() ? null : "the answer is not a JSON object";
            }
            case ResponseFormat.JsonSchema s -> schemaProblem(s.schema(), answer.content(), "the answer");
        };
    }

    /** The next attempt: the conversation with the rejected answer and why it was rejected. */
    ChatTurn retry(ParsedOutput rejected, String problem) {
        List<Message> messages = new ArrayList<>(conversation.messages());
        messages.add(Message.assistant(rejected.content() == null ? "" : rejected.content()));
        messages.add(Message.user("That answer cannot be used: " + problem + ". Answer again, following the "
                + "instructions exactly."));
        return new ChatTurn(family, conversation.withMessages(messages), today, callIdPrefix, stream, compiled);
    }

    private String schemaProblem(JsonNode schemaNode, String text, String what) {
        JsonNode value = json(text);
        if (value == null) {
            return what + " is not valid JSON";
        }
        Schema schema = compiled.computeIfAbsent(schemaNode, n -> Schemas.check(n, "schema"));
        List<String> errors = Schemas.errors(schema, value);
        return errors.isEmpty() ? null : what + " does not match the JSON schema: " + String.join("; ", errors);
    }

    private static JsonNode json(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return STRICT.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private static String withoutFences(String s) {
        if (!s.startsWith("```") || !s.endsWith("```") || s.length() < 6) {
            return s;
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(nl + 1, s.length() - 3).strip();
    }
}
