package ai.cortensor.routersim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a Qwen3 (ChatML) prompt: turns {@code <|im_start|>ROLE\nCONTENT<|im_end|>\n}, the last one left open for the
 * assistant. Tools are the JSON lines between {@code <tools>} and {@code </tools>} of a system turn; a user turn made
 * of {@code <tool_response>} blocks is a tool result, not a user message. The open assistant turn decides the rest:
 * empty = thinking on; starting {@code <think>\n\n</think>\n\n} = thinking off; ending in a started
 * {@code <tool_call>} = a forced call to continue.
 */
final class QwenPrompt {

    static final String EMPTY_THINK = "<think>\n\n</think>\n\n";

    private static final String START = "<|im_start|>";
    private static final String END = "<|im_end|>";
    private static final Pattern RESPONSE = Pattern.compile("<tool_response>\\n?(.*?)\\n?</tool_response>", Pattern.DOTALL);
    private static final Pattern PREFILL_ARGS = Pattern.compile(
            "<tool_call>\\s*\\{\\s*\"name\"\\s*:\\s*\"([^\"]+)\"\\s*,\\s*\"arguments\"\\s*:\\s*$");
    private static final Pattern PREFILL_NAME = Pattern.compile("<tool_call>\\s*\\{\\s*\"name\"\\s*:\\s*\"$");

    private QwenPrompt() {
    }

    private record Turn(String role, String content, boolean open) {
    }

    static PromptView read(String prompt, ObjectMapper mapper) {
        List<Turn> turns = turns(prompt);
        StringBuilder system = new StringBuilder();
        List<PromptView.ToolSpec> tools = new ArrayList<>();
        String lastUser = "";
        for (Turn t : turns) {
            if (t.role.equals("system")) {
                system.append(t.content).append('\n');
                tools(t.content, mapper, tools);
            } else if (t.role.equals("user") && !isToolResponse(t.content)) {
                lastUser = t.content;
            }
        }
        Turn open = turns.isEmpty() || !turns.getLast().open ? null : turns.getLast();
        String prefix = open == null ? "" : open.content;
        List<Turn> closed = open == null ? turns : turns.subList(0, turns.size() - 1);
        List<String> results = new ArrayList<>();
        if (!closed.isEmpty() && closed.getLast().role.equals("user") && isToolResponse(closed.getLast().content)) {
            Matcher m = RESPONSE.matcher(closed.getLast().content);
            while (m.find()) {
                results.add(m.group(1));
            }
        }
        PromptView.Thinking thinking = prefix.isEmpty() ? PromptView.Thinking.ON : PromptView.Thinking.OFF;
        return new PromptView(Family.QWEN, system.toString(), lastUser, results, tools, thinking, null,
                prefill(prefix));
    }

    private static PromptView.Prefill prefill(String prefix) {
        Matcher args = PREFILL_ARGS.matcher(prefix);
        if (args.find()) {
            return new PromptView.Prefill(args.group(1));
        }
        return PREFILL_NAME.matcher(prefix).find() ? new PromptView.Prefill(null) : null;
    }

    private static boolean isToolResponse(String content) {
        return content.strip().startsWith("<tool_response>");
    }

    private static List<Turn> turns(String prompt) {
        List<Turn> turns = new ArrayList<>();
        for (int start = prompt.indexOf(START); start >= 0; ) {
            int head = start + START.length();
            int nl = prompt.indexOf('\n', head);
            if (nl < 0) {
                turns.add(new Turn(prompt.substring(head).strip(), "", true));
                break;
            }
            int end = prompt.indexOf(END, nl + 1);
            int next = prompt.indexOf(START, nl + 1);
            if (end < 0 || (next >= 0 && next < end)) { // an unterminated turn: only the last one is open
                int stop = next < 0 ? prompt.length() : next;
                turns.add(new Turn(prompt.substring(head, nl), prompt.substring(nl + 1, stop), next < 0));
                start = next;
            } else {
                turns.add(new Turn(prompt.substring(head, nl), prompt.substring(nl + 1, end), false));
                start = prompt.indexOf(START, end + END.length());
            }
        }
        return turns;
    }

    /** Adds the tools of one system turn: one JSON object per line inside {@code <tools>...</tools>}. */
    private static void tools(String content, ObjectMapper mapper, List<PromptView.ToolSpec> out) {
        int open = content.indexOf("\n<tools>\n"); // on a line of its own: the template mentions "<tools></tools>" before
        int close = content.indexOf("\n</tools>", open + 1);
        if (open < 0 || close < 0) {
            return;
        }
        for (String line : content.substring(open + "\n<tools>\n".length(), close).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode tool = mapper.readTree(line);
                JsonNode fn = tool.has("function") ? tool.get("function") : tool;
                if (fn.path("name").isTextual()) {
                    out.add(new PromptView.ToolSpec(fn.get("name").textValue(), fn.path("parameters")));
                }
            } catch (IOException notJson) {
                // a line the sim cannot read is a tool the model does not know about
            }
        }
    }
}
