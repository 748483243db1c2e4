package ai.cortensor.portal.families;

import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fallback for models without a known template: a plain transcript ({@code System: …}, {@code User: …},
 * {@code Assistant: …}, ending {@code Assistant:}). Tools are described in a system preamble in the Hermes style
 * ({@code <tool_call>{"name": …, "arguments": …}</tool_call>}), which is also how calls are parsed (with Qwen's
 * parser, thinking off). No reasoning. Client text cannot forge a turn: a role label at the start of a line of
 * client text and the tool-call tags are broken with a word joiner, as {@link ControlTokens} does for tags.
 */
final class GenericFamily implements Family {
    private static final ControlTokens TOKENS = ControlTokens.of("<tool_call>", "</tool_call>", "<tool_response>",
            "</tool_response>", "<|im_end|>", "<|endoftext|>");
    private static final Pattern ROLE_LABEL = Pattern.compile("(?m)^(System|User|Assistant|Tool)(?=:)",
            Pattern.CASE_INSENSITIVE);

    @Override
    public String id() {
        return "generic";
    }

    @Override
    public Rendered render(Conversation c, LocalDate today) {
        StringBuilder b = new StringBuilder();
        if (!c.offeredTools().isEmpty()) {
            b.append("System: You can call functions. To call one, answer with <tool_call>{\"name\": <function-name>, "
                    + "\"arguments\": <args-json-object>}</tool_call> and nothing else. The functions:\n");
            for (Tool t : c.offeredTools()) {
                b.append(PyJson.dumps(t.definition())).append('\n');
            }
        }
        for (Message m : c.messages()) {
            switch (m.role()) {
                case SYSTEM, DEVELOPER -> b.append("System: ").append(clean(m.content())).append('\n');
                case USER -> b.append("User: ").append(clean(m.content())).append('\n');
                case ASSISTANT -> {
                    b.append("Assistant: ").append(clean(m.content()));
                    for (ToolCall call : m.toolCalls()) {
                        b.append("<tool_call>{\"name\": ").append(PyJson.string(call.name())).append(", \"arguments\": ")
                                .append(call.parsedArguments() != null ? clean(PyJson.dumps(call.parsedArguments()))
                                        : clean(call.arguments()))
                                .append("}</tool_call>");
                    }
                    b.append('\n');
                }
                case TOOL -> b.append("Tool: ").append(clean(m.content())).append('\n');
            }
        }
        b.append("Assistant:");
        String prefill = switch (c.toolChoice()) {
            case ToolChoice.Named n when !c.offeredTools().isEmpty() ->
                    " <tool_call>{\"name\": " + PyJson.string(n.name()) + ", \"arguments\": ";
            case ToolChoice.Required r when !c.offeredTools().isEmpty() -> " <tool_call>{\"name\": \"";
            default -> "";
        };
        return new Rendered(b.append(prefill).toString(), prefill, false, !c.offeredTools().isEmpty());
    }

    @Override
    public OutputParser parser(Rendered rendered) {
        return Families.QWEN.parser(new Rendered(rendered.prompt(), rendered.prefill(), false, rendered.toolsOffered()));
    }

    @Override
    public ControlTokens controlTokens() {
        return TOKENS;
    }

    @Override
    public boolean reasons() {
        return false;
    }

    private static String clean(String text) {
        String t = TOKENS.neutralise(text);
        Matcher m = ROLE_LABEL.matcher(t);
        return m.find() ? m.replaceAll(r -> r.group(1) + ControlTokens.JOINER) : t;
    }
}
