package ai.cortensor.portal.gateway;

import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.families.Family;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.OutputParser;
import ai.cortensor.portal.families.OutputSink;
import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.RenderRefused;
import ai.cortensor.portal.families.Rendered;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.families.TrimmingSink;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.Schema;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chat request's model-facing side: the conversation as the model will see it (structured-output instructions
 * added), its rendering in the model's family, and the checks its answer must pass. A JSON response format, and a
 * forced tool choice on a non-streaming request, are <em>validated</em>: the answer is parsed whole, checked
 * ({@link #problem}) and, if it fails, asked for again ({@link #retry}) with the reason, a bounded number of times.
 */
final class ChatTurn implements Turn {
    static final String JSON_SCHEMA_INSTRUCTION = "Respond with a single JSON value and nothing else, no prose and no "
            + "code fences. It must validate against this JSON Schema:";
    static final String JSON_OBJECT_INSTRUCTION = "Respond with a single JSON object and nothing else, no prose and no "
            + "code fences.";

    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Family family;
    private final Conversation conversation;
    private final Rendered rendered;
    private final LocalDate today;
    private final boolean stream;
    /** Client schemas compiled for validation, shared by the attempts of one request (keyed by identity). */
    private final Map<JsonNode, Schema> compiled;

    private ChatTurn(Family family, Conversation conversation, LocalDate today, boolean stream,
                     Map<JsonNode, Schema> compiled) {
        this.family = family;
        this.conversation = conversation;
        this.today = today;
        this.stream = stream;
        this.compiled = compiled;
        try {
            this.rendered = family.render(conversation, today);
        } catch (RenderRefused e) {
            throw ApiError.invalidRequest("invalid_value", e.param(), e.getMessage());
        }
    }

    /** Checks what the family can honour, adds the structured-output instruction and renders. */
    static ChatTurn prepare(Family family, String model, Conversation c, LocalDate today, boolean stream) {
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
        return new ChatTurn(family, instruct(c), today, stream, new IdentityHashMap<>(2));
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

    @Override
    public String prompt() {
        return rendered.prompt();
    }

    /**
     * The family's parser, trimmed as a whole answer is (see {@link TrimmingSink}); the gateway-written start of
     * the answer (the prefill) is read before the model's first text.
     */
    @Override
    public Decoding decoding(OutputSink out) {
        OutputParser parser = family.parser(rendered);
        TrimmingSink trimmed = new TrimmingSink(out);
        return new Decoding() {
            @Override
            public void feed(String text, boolean first) {
                if (first && !rendered.prefill().isEmpty()) {
                    parser.feed(rendered.prefill(), trimmed);
                }
                parser.feed(text, trimmed);
            }

            @Override
            public void finish() {
                parser.finish(trimmed);
            }
        };
    }

    @Override
    public boolean validates() {
        return !(conversation.responseFormat() instanceof ResponseFormat.Text)
                || (!stream && conversation.toolChoice().forced());
    }

    @Override
    public int maxToolCalls() {
        return conversation.parallelToolCalls() ? Integer.MAX_VALUE : 1;
    }

    /** The whole answer parsed, limited to one call when parallel calls are off, JSON code fences removed. */
    @Override
    public ParsedOutput parse(String raw, boolean cutByLength) {
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
    @Override
    public String problem(ParsedOutput answer) {
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
    @Override
    public ChatTurn retry(ParsedOutput rejected, String problem) {
        List<Message> messages = new ArrayList<>(conversation.messages());
        messages.add(Message.assistant(rejected.content() == null ? "" : rejected.content()));
        messages.add(Message.user("That answer cannot be used: " + problem + ". Answer again, following the "
                + "instructions exactly."));
        return new ChatTurn(family, conversation.withMessages(messages), today, stream, compiled);
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
