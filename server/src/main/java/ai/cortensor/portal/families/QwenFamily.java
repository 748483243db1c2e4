package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.List;

/**
 * Qwen3 (2025 hybrid-thinking) chat format: ChatML turns, {@code <think>} reasoning, Hermes-style
 * {@code <tool_call>} JSON. {@link #render} reproduces the official Qwen3 chat template byte for byte (as
 * transformers renders it after vLLM's message normalisation), applied to the conversation with client text
 * neutralised, with these deliberate differences:
 * <ul>
 *   <li>{@code developer} messages are rendered exactly like {@code system} ones (the template has no branch for
 *       them and silently drops them; dropping instructions is worse than any rendering);</li>
 *   <li>every piece of client text is neutralised with {@link #controlTokens()} (after the template's split of an
 *       inline {@code <think>} block off assistant content), tool definitions included;</li>
 *   <li>a forced {@code tool_choice} ({@code required} or a named function) is expressed by prefilling the answer
 *       with an empty think block and the opening of the call (the template knows no tool_choice).</li>
 * </ul>
 */
final class QwenFamily implements Family {
    static final String IM_START = "<|im_start|>";
    static final String IM_END = "<|im_end|>";
    static final String END_OF_TEXT = "<|endoftext|>";
    /** What the template writes after the generation prompt when thinking is off. */
    static final String EMPTY_THINK = "<think>\n\n</think>\n\n";
    private static final String GENERATION = IM_START + "assistant\n";
    private static final String TOOLS_HEAD = "# Tools\n\nYou may call one or more functions to assist with the user "
            + "query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    private static final String TOOLS_TAIL = "\n</tools>\n\nFor each function call, return a json object with function "
            + "name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, "
            + "\"arguments\": <args-json-object>}\n</tool_call>" + IM_END + "\n";

    /** Qwen3's added tokens (tokenizer.json), plus {@code <tools>}/{@code </tools>} that frame the tool list. */
    private static final ControlTokens TOKENS = ControlTokens.of(
            END_OF_TEXT, IM_START, IM_END,
            "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>",
            "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>",
            "<|image_pad|>", "<|video_pad|>",
            "<tool_call>", "</tool_call>",
            "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
            "<tool_response>", "</tool_response>", "<think>", "</think>",
            "<tools>", "</tools>");

    @Override
    public String id() {
        return "qwen";
    }

    @Override
    public Rendered render(Conversation c, LocalDate today) {
        List<Message> messages = c.messages();
        if (messages.isEmpty()) { // the template reads messages[0] and raises
            throw new RenderRefused("messages", "at least one message is required");
        }
        List<Tool> tools = c.offeredTools();
        String forced = forcedCallOpening(c.toolChoice(), tools);
        StringBuilder b = new StringBuilder(1024);
        Message first = messages.get(0);
        boolean firstIsSystem = isSystem(first);
        if (!tools.isEmpty()) {
            b.append(IM_START).append("system\n");
            if (firstIsSystem) {
                b.append(n(first.content())).append("\n\n");
            }
            b.append(TOOLS_HEAD);
            for (Tool t : tools) {
                b.append('\n');
                b.append(TOKENS.neutralise(PyJson.dumps(t.definition())));
            }
            b.append(TOOLS_TAIL);
        } else if (firstIsSystem) {
            b.append(IM_START).append("system\n").append(n(first.content())).append(IM_END).append('\n');
        }
        int lastQuery = lastQueryIndex(messages);
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            boolean last = i == messages.size() - 1;
            switch (m.role()) {
                case USER -> turn(b, "user", m.content());
                case SYSTEM, DEVELOPER -> {
                    if (i > 0) {
                        turn(b, "system", m.content());
                    }
                }
                case ASSISTANT -> assistant(b, m, i > lastQuery, last);
                case TOOL -> {
                    if (i == 0 || messages.get(i - 1).role() != Message.Role.TOOL) {
                        b.append(IM_START).append("user");
                    }
                    b.append("\n<tool_response>\n").append(n(m.content())).append("\n</tool_response>");
                    if (last || messages.get(i + 1).role() != Message.Role.TOOL) {
                        b.append(IM_END).append('\n');
                    }
                }
            }
        }
        b.append(GENERATION);
        boolean thinking = c.reasoning().thinkingOn(true);
        String prefill = "";
        if (forced != null) { // a forced call skips thinking: the model answers with the call at once
            prefill = EMPTY_THINK + forced;
            thinking = false;
        } else if (!thinking) {
            b.append(EMPTY_THINK);
        }
        b.append(prefill);
        return new Rendered(b.toString(), prefill, thinking, !tools.isEmpty());
    }

    /** The opening of the call the model must write, or null when tool_choice does not force one. */
    private static String forcedCallOpening(ToolChoice choice, List<Tool> tools) {
        switch (choice) {
            case ToolChoice.Required r -> {
                if (tools.isEmpty()) {
                    throw new RenderRefused("tool_choice", "tool_choice 'required' needs at least one tool");
                }
                return "<tool_call>\n{\"name\": \"";
            }
            case ToolChoice.Named named -> {
                if (tools.stream().noneMatch(t -> t.name().equals(named.name()))) {
                    throw new RenderRefused("tool_choice", "tool_choice names function '" + named.name()
                            + "', which is not among the tools");
                }
                return "<tool_call>\n{\"name\": " + PyJson.string(n(named.name())) + ", \"arguments\": ";
            }
            default -> {
                return null;
            }
        }
    }

    private static boolean isSystem(Message m) {
        return m.role() == Message.Role.SYSTEM || m.role() == Message.Role.DEVELOPER;
    }

    /**
     * The template's {@code last_query_index}: the last user message that is not a wrapped tool response (else the
     * last message). Evaluated on neutralised content, as the template would see it.
     */
    private static int lastQueryIndex(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            Message m = messages.get(i);
            if (m.role() == Message.Role.USER) {
                String content = n(m.content());
                if (!(content.startsWith("<tool_response>") && content.endsWith("</tool_response>"))) {
                    return i;
                }
            }
        }
        return messages.size() - 1;
    }

    private static void turn(StringBuilder b, String role, String content) {
        b.append(IM_START).append(role).append('\n').append(n(content)).append(IM_END).append('\n');
    }

    /** An assistant turn: reasoning only after the last query, then content and tool calls, as the template does. */
    private static void assistant(StringBuilder b, Message m, boolean afterLastQuery, boolean last) {
        String content = m.content();
        String reasoning = "";
        if (m.reasoning() != null) {
            reasoning = m.reasoning();
        } else if (content.contains("</think>")) { // split before neutralising, or the tags would be broken
            String head = stripTrailing(content.substring(0, content.indexOf("</think>")));
            int open = head.lastIndexOf("<think>");
            reasoning = stripLeading(open < 0 ? head : head.substring(open + "<think>".length()));
            content = stripLeading(content.substring(content.lastIndexOf("</think>") + "</think>".length()));
        }
        content = n(content);
        reasoning = n(reasoning);
        b.append(IM_START).append("assistant\n");
        if (afterLastQuery && (last || !reasoning.isEmpty())) {
            b.append("<think>\n").append(stripLeading(stripTrailing(reasoning))).append("\n</think>\n\n")
                    .append(stripLeading(content));
        } else {
            b.append(content);
        }
        List<ToolCall> calls = m.toolCalls();
        for (int j = 0; j < calls.size(); j++) {
            if (j > 0 || !content.isEmpty()) {
                b.append('\n');
            }
            ToolCall call = calls.get(j);
            b.append("<tool_call>\n{\"name\": \"").append(n(call.name())).append("\", \"arguments\": ");
            arguments(b, call);
            b.append("}\n</tool_call>");
        }
        b.append(IM_END).append('\n');
    }

    /**
     * The template prints string arguments verbatim and anything else with tojson. After normalisation a string is
     * either arguments that are not valid JSON (kept raw) or a JSON string literal (its value).
     */
    private static void arguments(StringBuilder b, ToolCall call) {
        JsonNode parsed = call.parsedArguments();
        if (parsed == null) {
            b.append(call.arguments() == null ? "{}" : n(call.arguments()));
        } else if (parsed.isTextual()) {
            b.append(n(parsed.textValue()));
        } else {
            // the same as dumping neutralised strings: no Qwen token holds a character JSON escapes, nor can one span
            // a string's closing quote
            b.append(TOKENS.neutralise(PyJson.dumps(parsed)));
        }
    }

    /** Python's {@code s.lstrip('\n')}. */
    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        return s.substring(i);
    }

    /** Python's {@code s.rstrip('\n')}. */
    private static String stripTrailing(String s) {
        int i = s.length();
        while (i > 0 && s.charAt(i - 1) == '\n') {
            i--;
        }
        return s.substring(0, i);
    }

    private static String n(String clientText) {
        return TOKENS.neutralise(clientText);
    }

    @Override
    public OutputParser parser(Rendered rendered) {
        return new QwenParser(rendered.thinking(), rendered.toolsOffered());
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
