package ai.cortensor.portal.families;

import ai.cortensor.portal.families.Message.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Renders a {@link Conversation} the way Gemma 4's official chat template (large models, 2026-07-09 revision) does
 * under transformers, byte for byte, with these deliberate differences (each is a shape where the template loses or
 * garbles client input; everything else matches {@code rendered/gemma-4.json}):
 * <ul>
 * <li>An assistant message with both content and tool calls writes its content <em>before</em> the calls, the order
 * the model itself writes them ({@code text <|tool_call>…}); the template writes it after the tool responses and
 * closes the turn without opening a new one (c10), leaving a prompt the model cannot continue. Ours continues the
 * model turn after the responses exactly like a call without content (c07).</li>
 * <li>A {@code tool} message that no assistant tool call precedes is refused ({@code messages[i]}); the template
 * drops it silently (c18).</li>
 * <li>A {@code developer} message after the first renders as a {@code system} turn (the template treats a first
 * developer message as system, but would open an unknown {@code <|turn>developer} turn later).</li>
 * <li>Tool-call arguments that are not a JSON object are refused
 * ({@code messages[i].tool_calls[j].function.arguments}); the template raises on anything but a mapping (c20/c21,
 * which the gateway never sends since it always parses the wire string).</li>
 * <li>All client text (contents, reasoning, names, keys, string values, tool results, declarations) is neutralised
 * against {@link Gemma4Family#TOKENS}; the template inserts it verbatim (c11).</li>
 * </ul>
 * {@code preserve_thinking} is not exposed: earlier reasoning is kept only after the last user message.
 */
final class Gemma4Renderer {
    static final String BOS = "<bos>";
    static final String OPEN_THOUGHT = "<|channel>thought\n";
    static final String EMPTY_THOUGHT = OPEN_THOUGHT + "<channel|>";

    private enum Last { NONE, TOOL_CALL, TOOL_RESPONSE }

    private final Conversation c;
    private final UnaryOperator<String> text;
    private final List<Message> messages;
    private final StringBuilder b = new StringBuilder(1024);
    private final boolean[] consumed;
    private Last last = Last.NONE;

    private Gemma4Renderer(Conversation c, ControlTokens tokens) {
        this.c = c;
        this.text = tokens::neutralise;
        this.messages = c.messages();
        this.consumed = new boolean[messages.size()];
    }

    static Rendered render(Conversation c, ControlTokens tokens) {
        return new Gemma4Renderer(c, tokens).render();
    }

    private Rendered render() {
        List<Tool> tools = c.offeredTools();
        boolean thinking = c.reasoning().thinkingOn(false);
        b.append(BOS);
        int start = 0;
        boolean firstIsSystem = !messages.isEmpty()
                && (messages.get(0).role() == Role.SYSTEM || messages.get(0).role() == Role.DEVELOPER);
        if (thinking || !tools.isEmpty() || firstIsSystem) {
            b.append("<|turn>system\n");
            if (thinking) {
                b.append("<|think|>\n");
            }
            if (firstIsSystem) {
                b.append(text.apply(Gemma4Values.trim(messages.get(0).content())));
                start = 1;
            }
            for (Tool t : tools) {
                b.append(Gemma4Declarations.declare(t, text));
            }
            b.append("<turn|>\n");
        }
        int lastUser = -1;
        for (int i = start; i < messages.size(); i++) {
            if (messages.get(i).role() == Role.USER) {
                lastUser = i;
            }
        }
        Role prevNonTool = null;
        for (int i = start; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.role() == Role.TOOL) {
                if (!consumed[i]) {
                    throw new RenderRefused("messages[" + i + "]",
                            "a tool message must follow an assistant message with the tool call it answers");
                }
                continue;
            }
            message(i, m, prevNonTool, lastUser);
            prevNonTool = m.role();
        }
        String prompt = generationPrompt(thinking);
        String prefill = prefill(prompt, tools);
        return new Rendered(prompt + prefill, prefill, thinking && prefill.isEmpty(), !tools.isEmpty());
    }

    private void message(int i, Message m, Role prevNonTool, int lastUser) {
        last = Last.NONE;
        boolean model = m.role() == Role.ASSISTANT;
        if (!(model && prevNonTool == Role.ASSISTANT)) { // consecutive assistant messages share one model turn
            b.append("<|turn>").append(model ? "model" : m.role() == Role.USER ? "user" : "system").append('\n');
        }
        if (m.reasoning() != null && !m.reasoning().isEmpty() && i > lastUser) {
            b.append(OPEN_THOUGHT).append(text.apply(m.reasoning())).append("\n<channel|>");
        }
        String content = text.apply(model ? stripThinking(m.content()) : Gemma4Values.trim(m.content()));
        b.append(content); // before any tool calls: see the class comment (c10)
        boolean responded = false;
        if (!m.toolCalls().isEmpty()) {
            for (int j = 0; j < m.toolCalls().size(); j++) {
                call(i, j, m.toolCalls().get(j));
            }
            last = Last.TOOL_CALL;
            for (int k = i + 1; k < messages.size() && messages.get(k).role() == Role.TOOL; k++) {
                response(m, messages.get(k));
                consumed[k] = true;
                responded = true;
                last = Last.TOOL_RESPONSE;
            }
        }
        boolean hasContent = m.toolCalls().isEmpty() && !Gemma4Values.trim(content).isEmpty();
        Role next = null;
        for (int k = i + 1; k < messages.size() && next == null; k++) {
            if (messages.get(k).role() != Role.TOOL) {
                next = messages.get(k).role();
            }
        }
        boolean continues = model && next == Role.ASSISTANT && (m.toolCalls().isEmpty() || responded);
        if (last == Last.TOOL_CALL) {
            b.append("<|tool_response>"); // calls without results: the template hands the model the response slot
        } else if (!continues && !(responded && !hasContent && next == null)) {
            b.append("<turn|>\n");
        }
    }

    private void call(int i, int j, ToolCall call) {
        JsonNode args = call.parsedArguments();
        if (args == null || !(args.isObject() || args.isNull())) {
            throw new RenderRefused("messages[" + i + "].tool_calls[" + j + "].function.arguments",
                    args == null ? "the tool call arguments are not valid JSON"
                            : "the tool call arguments must be a JSON object");
        }
        b.append("<|tool_call>call:").append(text.apply(call.name())).append('{');
        if (args.isObject()) {
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : Gemma4Values.dictsort(args)) {
                b.append(first ? "" : ",").append(text.apply(e.getKey())).append(':');
                first = false;
                Gemma4Values.format(b, e.getValue(), false, text);
            }
        }
        b.append("}<tool_call|>");
    }

    /** The result, named after the call whose id it answers ({@code unknown} when none matches, as the template). */
    private void response(Message call, Message tool) {
        String name = "unknown";
        for (ToolCall tc : call.toolCalls()) {
            if (tc.id() != null && tc.id().equals(tool.toolCallId())) {
                name = tc.name();
            }
        }
        b.append("<|tool_response>response:").append(text.apply(name)).append("{value:").append(Gemma4Values.QUOTE)
                .append(text.apply(tool.content())).append(Gemma4Values.QUOTE).append("}<tool_response|>");
    }

    private String generationPrompt(boolean thinking) {
        if (last == Last.NONE) {
            b.append("<|turn>model\n");
            if (!thinking) {
                b.append(EMPTY_THOUGHT);
            }
        } else if (last == Last.TOOL_RESPONSE && thinking) {
            b.append(OPEN_THOUGHT);
        }
        return b.toString();
    }

    /**
     * The opening of a forced call, written for the model: {@code <|tool_call>call:NAME{} for a named function,
     * {@code <|tool_call>call:} for {@code required}. With thinking on, the thought the prompt leaves open (or would
     * let the model open) is closed empty first, so the call follows the shape the model knows from thinking off.
     */
    private String prefill(String prompt, List<Tool> tools) {
        ToolChoice choice = c.toolChoice();
        if (!choice.forced()) {
            return "";
        }
        if (tools.isEmpty()) {
            throw new RenderRefused("tool_choice", "tool_choice requires a tool call but no tools are given");
        }
        String open = "<|tool_call>call:";
        if (choice instanceof ToolChoice.Named n) {
            if (tools.stream().noneMatch(t -> t.name().equals(n.name()))) {
                throw new RenderRefused("tool_choice",
                        "tool_choice names a function that is not in tools: " + n.name());
            }
            open += text.apply(n.name()) + "{";
        }
        if (prompt.endsWith(OPEN_THOUGHT)) {
            return "<channel|>" + open;
        }
        if (prompt.endsWith("<|turn>model\n")) {
            return EMPTY_THOUGHT + open;
        }
        return open;
    }

    /** The template's {@code strip_thinking}: drops every {@code <|channel>…<channel|>} block, then trims. */
    static String stripThinking(String s) {
        if (!s.contains("<channel|>") && !s.contains("<|channel>")) {
            return Gemma4Values.trim(s);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (String part : s.split("<channel\\|>", -1)) {
            int open = part.indexOf("<|channel>");
            out.append(open >= 0 ? part.substring(0, open) : part);
        }
        return Gemma4Values.trim(out.toString());
    }
}
