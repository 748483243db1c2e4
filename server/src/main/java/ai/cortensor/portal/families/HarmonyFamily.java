package ai.cortensor.portal.families;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * gpt-oss (oss-20b, oss-120b): the harmony format as the official gpt-oss chat template renders it (the Jinja file
 * transformers and llama.cpp use), byte for byte wherever that template is faithful, with messages normalised as
 * vLLM does and llama.cpp's gpt-oss adapter applied (a message's {@code reasoning_content} is its
 * {@code thinking}; with tool calls, its {@code content} is then dropped).
 *
 * <p>Decisions where the official template is not followed:
 * <ul>
 * <li><b>Parallel tool calls.</b> The template renders only {@code tool_calls[0]} and names every following tool
 * result after it (c08 loses {@code get_time}). That prompt is wrong, so every call is rendered as its own
 * {@code <|start|>assistant to=functions.X<|channel|>commentary json<|message|>ARGS<|call|>} message, and each
 * tool result is attributed to its call through {@code tool_call_id}, as the harmony format and vLLM's
 * {@code openai_harmony} renderer do. A result whose id matches no call is attributed by position (the k-th result
 * after the calls to the k-th call, the last call for extra results). Single calls render exactly as the template.
 * <li><b>Where the template raises</b> we refuse with a 400 naming the field: a tool message with no tool call to
 * answer (c18, {@code messages[i]}); assistant content or reasoning holding {@code <|channel|>analysis<|message|>}
 * or {@code <|channel|>final<|message|>} (c19, {@code messages[i].content} / {@code .reasoning_content}):
 * refusing matches the template and tells the client what it did wrong, neutralising would silently feed the model
 * a garbled history. {@code content: null} (c20) cannot reach us: conversations are normalised to {@code ""}.
 * <li><b>Tool call arguments</b> are the parsed object through {@code tojson}; arguments that are not valid JSON
 * are written as the raw string (the template would {@code tojson} the string and double-encode it, c21).
 * <li><b>Control tokens</b> in every piece of client text (system/developer, user, assistant content and reasoning,
 * tool names, arguments and results, the tools namespace) are neutralised, so no message can open a turn or a
 * channel of its own (c11 then differs from the template only inside the user content).
 * <li><b>Forced tool choice</b> is written as a prefill after the generation prompt, which the template cannot
 * express; {@code tool_choice: none} hides the tools entirely ({@link Conversation#offeredTools()}).
 * <li>A tool without description: the template raises ({@code "// " + none}); we omit its comment line.
 * </ul>
 * Unlike the template, a later system/developer message is refused (the template drops it, c17); like it,
 * {@code response_format} is not rendered here (the gateway puts its instruction into the first message).
 */
final class HarmonyFamily implements Family {
    private static final ControlTokens TOKENS = ControlTokens.of("<|start|>", "<|end|>", "<|message|>", "<|channel|>",
            "<|constrain|>", "<|return|>", "<|call|>", "<|endoftext|>", "<|startoftext|>", "<|endofprompt|>",
            // one prefix for the whole reserved range <|reserved_200000|> .. <|reserved_201087|>
            "<|reserved_");
    private static final String ANALYSIS_TAG = "<|channel|>analysis<|message|>";
    private static final String FINAL_TAG = "<|channel|>final<|message|>";

    @Override
    public String id() {
        return "gpt-oss";
    }

    @Override
    public Rendered render(Conversation c, LocalDate today) {
        List<Tool> tools = c.offeredTools();
        List<Message> ms = c.messages();
        StringBuilder p = new StringBuilder(2048);
        p.append("<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n")
                .append("Knowledge cutoff: 2024-06\n")
                .append("Current date: ").append(today.format(DateTimeFormatter.ISO_LOCAL_DATE)).append("\n\n")
                .append("Reasoning: ").append(effort(c.reasoning())).append("\n\n")
                .append("# Valid channels: analysis, commentary, final. Channel must be included for every message.");
        if (!tools.isEmpty()) {
            p.append("\nCalls to these tools must go to the commentary channel: 'functions'.");
        }
        p.append("<|end|>");

        int first = 0;
        String developer = "";
        if (!ms.isEmpty() && (ms.get(0).role() == Message.Role.SYSTEM || ms.get(0).role() == Message.Role.DEVELOPER)) {
            developer = ms.get(0).content();
            first = 1;
        }
        if (!developer.isEmpty() || !tools.isEmpty()) {
            p.append("<|start|>developer<|message|>");
            if (!developer.isEmpty()) {
                p.append("# Instructions\n\n").append(TOKENS.neutralise(developer)).append("\n\n");
            }
            if (!tools.isEmpty()) {
                p.append("# Tools\n\n").append(TOKENS.neutralise(HarmonyTools.namespace(tools)));
            }
            p.append("<|end|>");
        }
        history(p, ms, first);
        p.append("<|start|>assistant");

        String prefill = prefill(c.toolChoice(), tools);
        p.append(prefill);
        return new Rendered(p.toString(), prefill, prefill.isEmpty(), !tools.isEmpty());
    }

    /**
     * {@code Reasoning:} of the system message. OpenAI's low/medium/high map directly; none/minimal and an explicit
     * {@code thinking=false} map to low (harmony cannot switch reasoning off); unset and unknown efforts to the
     * template's default, medium.
     */
    static String effort(Reasoning r) {
        if (Boolean.FALSE.equals(r.thinking())) {
            return "low";
        }
        String e = r.effort();
        if (e == null) {
            return "medium";
        }
        return switch (e) {
            case "none", "minimal", "low" -> "low";
            case "high" -> "high";
            default -> "medium";
        };
    }

    /**
     * The start of the answer for a forced tool choice: a named function's whole header, or a commentary header up
     * to {@code functions.} so the model must name one of the functions. Empty when the model is free.
     */
    private static String prefill(ToolChoice choice, List<Tool> tools) {
        if (choice instanceof ToolChoice.Named n) {
            if (tools.stream().noneMatch(t -> t.name().equals(n.name()))) {
                throw new RenderRefused("tool_choice", "tool_choice names function '" + n.name()
                        + "', which is not among the tools");
            }
            return "<|channel|>commentary to=functions." + TOKENS.neutralise(n.name()) + " <|constrain|>json<|message|>";
        }
        if (choice instanceof ToolChoice.Required) {
            if (tools.isEmpty()) {
                throw new RenderRefused("tool_choice", "tool_choice 'required' needs at least one tool");
            }
            return "<|channel|>commentary to=functions.";
        }
        return "";
    }

    /** The messages after the developer message, as the template's main loop renders them (see the class notes). */
    private static void history(StringBuilder p, List<Message> ms, int first) {
        int lastFinal = -1; // the last assistant message without tool calls: earlier tool-call reasoning is dropped
        for (int i = first; i < ms.size(); i++) {
            if (ms.get(i).role() == Message.Role.ASSISTANT && ms.get(i).toolCalls().isEmpty()) {
                lastFinal = i;
            }
        }
        List<ToolCall> calls = List.of(); // the latest tool calls still awaiting an answer
        Map<String, String> names = new HashMap<>(); // tool_call_id -> function, since the last final answer
        int results = 0; // tool results since the latest calls
        for (int i = first; i < ms.size(); i++) {
            Message m = ms.get(i);
            switch (m.role()) {
                case USER -> p.append("<|start|>user<|message|>").append(TOKENS.neutralise(m.content())).append("<|end|>");
                case ASSISTANT -> {
                    boolean calling = !m.toolCalls().isEmpty();
                    // llama.cpp's adapter removes the content of a tool-call message that carries reasoning
                    String content = calling && m.reasoning() != null ? null : m.content();
                    refuseTags(content, "messages[" + i + "].content", "content");
                    refuseTags(m.reasoning(), "messages[" + i + "].reasoning_content", "reasoning_content");
                    if (!calling) {
                        p.append("<|start|>assistant<|channel|>final<|message|>").append(TOKENS.neutralise(m.content()))
                                .append("<|end|>");
                        calls = List.of();
                        names.clear();
                        continue;
                    }
                    String analysis = content != null && !content.isEmpty() ? content : m.reasoning();
                    if (i > lastFinal && analysis != null && !analysis.isEmpty()) {
                        p.append("<|start|>assistant<|channel|>analysis<|message|>").append(TOKENS.neutralise(analysis))
                                .append("<|end|>");
                    }
                    for (ToolCall tc : m.toolCalls()) {
                        String args = tc.parsedArguments() != null ? PyJson.dumps(tc.parsedArguments())
                                : tc.arguments() == null ? "{}" : tc.arguments();
                        p.append("<|start|>assistant to=functions.").append(TOKENS.neutralise(tc.name()))
                                .append("<|channel|>commentary json<|message|>").append(TOKENS.neutralise(args))
                                .append("<|call|>");
                        if (tc.id() != null) {
                            names.put(tc.id(), tc.name());
                        }
                    }
                    calls = m.toolCalls();
                    results = 0;
                }
                case TOOL -> {
                    if (calls.isEmpty()) {
                        throw new RenderRefused("messages[" + i + "]", "a tool message must answer a tool call, but no "
                                + "earlier assistant message (since the last answer) has tool calls");
                    }
                    String name = m.toolCallId() != null ? names.get(m.toolCallId()) : null;
                    if (name == null) {
                        name = calls.get(Math.min(results, calls.size() - 1)).name();
                    }
                    results++;
                    p.append("<|start|>functions.").append(TOKENS.neutralise(name))
                            .append(" to=assistant<|channel|>commentary<|message|>")
                            .append(PyJson.string(TOKENS.neutralise(m.content()))).append("<|end|>");
                }
                // the official template drops it silently (c17); dropping a client's instructions is worse than saying so
                default -> throw new RenderRefused("messages[" + i + "]", "gpt-oss takes system and developer "
                        + "instructions only in the first message; move this " + m.role().wire() + " message there");
            }
        }
    }

    private static void refuseTags(String text, String param, String field) {
        if (text != null && (text.contains(ANALYSIS_TAG) || text.contains(FINAL_TAG))) {
            throw new RenderRefused(param, "assistant " + field + " must not contain harmony channel tags ("
                    + ANALYSIS_TAG + ", " + FINAL_TAG + "): send the reasoning in reasoning_content and only the "
                    + "final answer in content");
        }
    }

    @Override
    public OutputParser parser(Rendered rendered) {
        return new HarmonyParser(rendered.toolsOffered());
    }

    @Override
    public ControlTokens controlTokens() {
        return TOKENS;
    }

    @Override
    public boolean reasons() {
        return true;
    }
}
