package ai.cortensor.routersim;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a Gemma 4 prompt: {@code <bos>} then turns {@code <|turn>ROLE\nCONTENT<turn|>\n}, the last one an open
 * {@code model} turn. The system turn starts with {@code <|think|>} when thinking is on and holds the tools as
 * {@code <|tool>declaration:NAME{...}<tool|>} ({@link GemmaValues}). Tool results sit inside the open model turn,
 * after the calls: {@code <|tool_response>response:NAME{value:<|"|>...<|"|>}<tool_response|>}. The end of the
 * prompt says what comes next: {@code <|channel>thought\n<channel|>} (empty thought, thinking off),
 * {@code <|channel>thought\n} (an open thought to continue), {@code <|tool_call>call:} optionally followed by a
 * name and an opening brace (a forced call).
 */
final class GemmaPrompt {

    static final String THOUGHT = "<|channel>thought\n";
    static final String EMPTY_THOUGHT = THOUGHT + "<channel|>";

    private static final String TURN = "<|turn>";
    private static final String TURN_END = "<turn|>";
    private static final String DECLARATION = "<|tool>declaration:";
    private static final String RESPONSE = "<|tool_response>response:";
    private static final String RESPONSE_END = "<tool_response|>";
    private static final Pattern PREFILL_ARGS = Pattern.compile("<\\|tool_call>call:([^{<\\s]+)\\{$");

    private GemmaPrompt() {
    }

    private record Turn(String role, String content, boolean open) {
    }

    static PromptView read(String prompt) {
        List<Turn> turns = new ArrayList<>();
        for (int start = prompt.indexOf(TURN); start >= 0; ) {
            int head = start + TURN.length();
            int nl = prompt.indexOf('\n', head);
            if (nl < 0) {
                turns.add(new Turn(prompt.substring(head), "", true));
                break;
            }
            int end = prompt.indexOf(TURN_END, nl + 1);
            if (end < 0) {
                turns.add(new Turn(prompt.substring(head, nl), prompt.substring(nl + 1), true));
                break;
            }
            turns.add(new Turn(prompt.substring(head, nl), prompt.substring(nl + 1, end), false));
            start = prompt.indexOf(TURN, end);
        }
        StringBuilder system = new StringBuilder();
        List<PromptView.ToolSpec> tools = new ArrayList<>();
        boolean thinkingOn = false;
        String lastUser = "";
        for (Turn t : turns) {
            if (t.role.equals("system")) {
                thinkingOn |= t.content.startsWith("<|think|>");
                int firstTool = t.content.indexOf(DECLARATION);
                system.append(firstTool < 0 ? t.content : t.content.substring(0, firstTool)).append('\n');
                declarations(t.content, tools);
            } else if (t.role.equals("user")) {
                lastUser = t.content;
            }
        }
        String prefix = !turns.isEmpty() && turns.getLast().open ? turns.getLast().content : "";
        PromptView.Prefill prefill = prefill(prefix);
        PromptView.Thinking thinking;
        if (prefill != null || prefix.endsWith(EMPTY_THOUGHT)) {
            thinking = PromptView.Thinking.OFF;
        } else if (prefix.endsWith(THOUGHT)) {
            thinking = PromptView.Thinking.CONTINUE;
        } else {
            thinking = thinkingOn ? PromptView.Thinking.ON : PromptView.Thinking.OFF;
        }
        String beforeThought = prefix.endsWith(THOUGHT) ? prefix.substring(0, prefix.length() - THOUGHT.length()) : prefix;
        List<String> results = beforeThought.endsWith(RESPONSE_END) ? results(beforeThought) : List.of();
        return new PromptView(Family.GEMMA, system.toString(), lastUser, results, tools, thinking, null, prefill);
    }

    private static PromptView.Prefill prefill(String prefix) {
        Matcher m = PREFILL_ARGS.matcher(prefix);
        if (m.find()) {
            return new PromptView.Prefill(m.group(1));
        }
        return prefix.endsWith("<|tool_call>call:") ? new PromptView.Prefill(null) : null;
    }

    private static void declarations(String content, List<PromptView.ToolSpec> out) {
        for (int at = content.indexOf(DECLARATION); at >= 0; at = content.indexOf(DECLARATION, at + 1)) {
            int nameStart = at + DECLARATION.length();
            int brace = content.indexOf('{', nameStart);
            if (brace < 0) {
                return;
            }
            try {
                JsonNode decl = GemmaValues.parse(content, brace);
                out.add(new PromptView.ToolSpec(content.substring(nameStart, brace).strip(),
                        GemmaValues.schema(decl.path("parameters"))));
            } catch (IllegalArgumentException unreadable) {
                // a declaration the sim cannot read is a tool the model does not know about
            }
        }
    }

    /** The responses after the last call of the open turn, as text ({@code value} strings unwrapped). */
    private static List<String> results(String prefix) {
        int lastCall = prefix.lastIndexOf("<tool_call|>");
        List<String> out = new ArrayList<>();
        for (int at = prefix.indexOf(RESPONSE, Math.max(lastCall, 0)); at >= 0; at = prefix.indexOf(RESPONSE, at + 1)) {
            int brace = prefix.indexOf('{', at);
            int end = prefix.indexOf(RESPONSE_END, at);
            if (brace < 0 || end < 0) {
                break;
            }
            try {
                JsonNode v = GemmaValues.parse(prefix, brace);
                out.add(v.size() == 1 && v.path("value").isTextual() ? v.get("value").textValue() : v.toString());
            } catch (IllegalArgumentException unreadable) {
                out.add(prefix.substring(brace, end));
            }
        }
        return out;
    }
}
