package ai.cortensor.routersim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The "model": what a completion request gets back. A {@link Behavior#script()} wins; a plain prompt gets the
 * historic lorem-ipsum stream; a family prompt ({@link Family#detect}) is read like the model would read it
 * ({@link PromptView}) and answered in the family's syntax ({@link FamilySyntax}), first match wins:
 * <ol>
 *   <li>the prompt ends in a prefilled tool call → its continuation (for a prefill without a name: the first tool
 *       the user message names, else the first tool), then the stop token; no reasoning;</li>
 *   <li>reasoning first when the prompt leaves thinking on ({@code reasoningTokens} filler words starting at
 *       "sed"; harmony always reasons, {@code Reasoning: low} halves and {@code high} doubles the words);</li>
 *   <li>the last user message names offered tools (the name as a whole word; not when the turn ends after a tool
 *       result) → a call to each, in order of mention (harmony: the first only), arguments from
 *       {@link SchemaSynth};</li>
 *   <li>the system text asks for JSON (the gateway's sentences: {@code Respond with a single JSON value ... JSON
 *       Schema:} + the schema on the next line, or {@code Respond with a single JSON object ...}) → a value valid
 *       against the schema, or {@code {"answer":"lorem ipsum dolor sit amet"}}, compact; unless
 *       {@code jsonNonCompliantAttempts} is not used up ({@link Behavior.JsonFault});</li>
 *   <li>the turn ends after tool results → {@code The tool returned: RESULT} (results joined by "; ", each cut to
 *       120 characters);</li>
 *   <li>else {@code completionTokens} filler words from "lorem", space-separated, no trailing space.</li>
 * </ol>
 * The stop token follows when {@link Behavior#stopTokens()} says so. The text is then split by {@link Tokens}.
 */
final class FamilyAnswers {

    static final String JSON_ASK = "Respond with a single JSON";
    static final String SCHEMA_LEAD = "JSON Schema:";
    private static final int RESULT_CHARS = 120;
    private static final int REASONING_OFFSET = 8;

    private final PromptView view;
    private final Behavior b;
    private final ActiveBehavior active;
    private final FamilySyntax syntax;
    private final SchemaSynth synth;

    private FamilyAnswers(PromptView view, ActiveBehavior active) {
        this.view = view;
        this.b = active.behavior();
        this.active = active;
        this.syntax = new FamilySyntax(view.family());
        Set<String> names = new HashSet<>();
        view.tools().forEach(t -> names.add(t.name()));
        this.synth = new SchemaSynth(view.lastUser(), names);
    }

    /** The answer to {@code req} under {@code active}; counts a structured-output attempt when it gives one. */
    static Answer answer(CompletionRequest req, ActiveBehavior active, ObjectMapper mapper) {
        Behavior b = active.behavior();
        int miners = b.interleaveMiners() ? 2 : 1;
        if (!b.script().isEmpty()) {
            return Answer.of(b.script(), req.maxTokens(), miners, t -> false);
        }
        Family family = Family.detect(req.prompt());
        PromptView view = switch (family) {
            case PLAIN -> null;
            case QWEN -> QwenPrompt.read(req.prompt(), mapper);
            case HARMONY -> HarmonyPrompt.read(req.prompt(), mapper);
            case GEMMA -> GemmaPrompt.read(req.prompt());
        };
        if (view == null) {
            return Answer.plain(req.maxTokens(), b.completionTokens());
        }
        String raw = new FamilyAnswers(view, active).raw(mapper);
        return Answer.of(Tokens.split(raw, family), req.maxTokens(), miners,
                b.dropSpecialTokens() ? family::dropped : t -> false);
    }

    private String raw(ObjectMapper mapper) {
        StringBuilder out = new StringBuilder();
        boolean call;
        if (view.prefill() != null) {
            String named = view.prefill().toolName();
            PromptView.ToolSpec tool = named != null ? view.tool(named) : pickForced();
            String name = named != null ? named : tool != null ? tool.name() : "tool";
            out.append(syntax.continuation(named != null, new FamilySyntax.Call(name, args(tool))));
            call = true;
        } else {
            if (view.thinking() != PromptView.Thinking.OFF) {
                out.append(syntax.reasoning(filler(reasoningWords(), REASONING_OFFSET), view.thinking()));
            }
            List<PromptView.ToolSpec> named = view.afterToolResult() ? List.of() : namedTools();
            call = !named.isEmpty();
            if (call) {
                List<FamilySyntax.Call> calls = new ArrayList<>();
                for (PromptView.ToolSpec t : named) {
                    calls.add(new FamilySyntax.Call(t.name(), args(t)));
                }
                out.append(syntax.calls(calls));
            } else {
                out.append(syntax.answer(body(mapper)));
            }
        }
        boolean stop = switch (b.stopTokens()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case FAMILY_DEFAULT -> syntax.stopShownByDefault();
        };
        return stop ? out.append(syntax.stop(call)).toString() : out.toString();
    }

    private String body(ObjectMapper mapper) {
        int ask = view.system().indexOf(JSON_ASK);
        if (ask >= 0) {
            JsonNode schema = schema(view.system(), ask, mapper);
            boolean fault = active.nextJsonFails();
            JsonNode value = schema != null ? synth.value(schema)
                    : JsonNodeFactory.instance.objectNode().put("answer", filler(5, 0));
            if (!fault) {
                return JsonText.compact(value);
            }
            return switch (b.jsonFault()) {
                case CODE_FENCE -> "```json\n" + JsonText.compact(value) + "\n```";
                case MISSING_REQUIRED -> withoutFirstRequired(schema, value);
                case PROSE -> prose();
            };
        }
        if (view.afterToolResult()) {
            List<String> quoted = new ArrayList<>();
            for (String r : view.toolResults()) {
                String s = r.strip();
                quoted.add(s.length() > RESULT_CHARS ? s.substring(0, RESULT_CHARS) + "\u2026" : s);
            }
            return "The tool returned: " + String.join("; ", quoted);
        }
        return filler(b.completionTokens(), 0);
    }

    /** {@code value} without the schema's first required top-level property; prose when nothing is required. */
    private static String withoutFirstRequired(JsonNode schema, JsonNode value) {
        String first = schema == null ? null : schema.path("required").path(0).asText(null);
        if (first == null || !(value instanceof ObjectNode o) || !o.has(first)) {
            return prose();
        }
        return JsonText.compact(o.deepCopy().without(first));
    }

    private static String prose() {
        return "Sure, here it is: " + filler(5, 0);
    }

    /** The schema after {@code JSON Schema:} (the next JSON value, trailing text ignored), or null for free JSON. */
    private static JsonNode schema(String system, int ask, ObjectMapper mapper) {
        int lead = system.indexOf(SCHEMA_LEAD, ask);
        if (lead < 0) {
            return null;
        }
        try (JsonParser p = mapper.createParser(system.substring(lead + SCHEMA_LEAD.length()))) {
            JsonNode s = mapper.readTree(p);
            return s != null && s.isObject() ? s : null;
        } catch (IOException unreadable) {
            return null;
        }
    }

    private int reasoningWords() {
        int r = b.reasoningTokens();
        if (view.effort() == null) {
            return r;
        }
        return switch (view.effort()) {
            case "low" -> r == 0 ? 0 : Math.max(1, r / 2);
            case "high" -> r * 2;
            default -> r;
        };
    }

    /** {@code n} filler words from {@code WORDS[offset]}, space-separated, no trailing space. */
    private static String filler(int n, int offset) {
        String s = SimText.text(0, n + offset).substring(SimText.text(0, offset).length());
        return s.stripTrailing();
    }

    private JsonNode args(PromptView.ToolSpec tool) {
        JsonNode schema = tool == null ? JsonNodeFactory.instance.objectNode().put("type", "object") : tool.parameters();
        JsonNode v = synth.value(schema.isObject() ? schema : JsonNodeFactory.instance.objectNode());
        return v.isObject() ? v : JsonNodeFactory.instance.objectNode();
    }

    /** For a forced call without a name: the first tool the user names, else the first tool. */
    private PromptView.ToolSpec pickForced() {
        List<PromptView.ToolSpec> named = namedTools();
        return !named.isEmpty() ? named.getFirst() : view.tools().isEmpty() ? null : view.tools().getFirst();
    }

    /** Offered tools whose name occurs in the last user message as a whole word, in order of first mention. */
    private List<PromptView.ToolSpec> namedTools() {
        record Mention(int at, PromptView.ToolSpec tool) {
        }
        List<Mention> found = new ArrayList<>();
        for (PromptView.ToolSpec t : view.tools()) {
            Matcher m = Pattern.compile("(?<![\\p{L}\\p{N}_])" + Pattern.quote(t.name()) + "(?![\\p{L}\\p{N}_])")
                    .matcher(view.lastUser());
            if (m.find()) {
                found.add(new Mention(m.start(), t));
            }
        }
        found.sort((x, y) -> Integer.compare(x.at, y.at));
        return found.stream().map(Mention::tool).toList();
    }
}
