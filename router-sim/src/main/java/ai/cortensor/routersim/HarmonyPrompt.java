package ai.cortensor.routersim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a gpt-oss harmony prompt: messages {@code <|start|>HEADER<|message|>CONTENT<|end|>} (a call ends with
 * {@code <|call|>}), the last one a bare {@code <|start|>assistant} header for the model to continue. The system
 * message carries {@code Reasoning: low|medium|high}; the developer message the instructions and the tools as a
 * TypeScript-like {@code namespace functions {...}} ({@link HarmonyTypes}); a message from {@code functions.NAME}
 * is a tool result (the Jinja template JSON-quotes it; the quotes are removed). The model always reasons (the
 * analysis channel) unless the prompt ends in a prefilled {@code commentary to=functions.} header.
 */
final class HarmonyPrompt {

    private static final String START = "<|start|>";
    private static final String MESSAGE = "<|message|>";
    private static final String[] ENDS = {"<|end|>", "<|call|>", "<|return|>"};
    private static final Pattern EFFORT = Pattern.compile("(?m)^Reasoning: *(\\w+)");
    private static final Pattern PREFILL_ARGS = Pattern.compile(
            "to=functions\\.([^\\s<]+)[^<]*(?:<\\|constrain\\|>[^<]*)?<\\|message\\|>$");
    private static final String NAMESPACE_END = "} // namespace functions";

    private HarmonyPrompt() {
    }

    private record Message(String header, String content) {
        String role() {
            int end = 0;
            while (end < header.length() && header.charAt(end) != ' ' && header.charAt(end) != '<') {
                end++;
            }
            return header.substring(0, end);
        }
    }

    static PromptView read(String prompt, ObjectMapper mapper) {
        List<Message> messages = new ArrayList<>();
        String tail = "";
        for (int start = prompt.indexOf(START); start >= 0; ) {
            int head = start + START.length();
            int msg = prompt.indexOf(MESSAGE, head);
            int end = msg < 0 ? -1 : firstEnd(prompt, msg + MESSAGE.length());
            if (end < 0) { // the open message the model writes (its header, maybe a prefilled start)
                tail = prompt.substring(head);
                break;
            }
            messages.add(new Message(prompt.substring(head, msg), prompt.substring(msg + MESSAGE.length(), end)));
            start = prompt.indexOf(START, end);
        }
        StringBuilder system = new StringBuilder();
        List<PromptView.ToolSpec> tools = new ArrayList<>();
        String effort = "medium";
        String lastUser = "";
        for (Message m : messages) {
            switch (m.role()) {
                case "system" -> {
                    Matcher e = EFFORT.matcher(m.content);
                    if (e.find()) {
                        effort = e.group(1);
                    }
                }
                case "developer" -> {
                    system.append(m.content).append('\n');
                    int ns = m.content.indexOf("namespace functions {");
                    int nsEnd = m.content.indexOf(NAMESPACE_END, Math.max(ns, 0));
                    if (ns >= 0 && nsEnd > ns) {
                        tools.addAll(HarmonyTypes.functions(m.content.substring(ns, nsEnd)));
                    }
                }
                case "user" -> lastUser = m.content;
                default -> {
                }
            }
        }
        List<String> results = new ArrayList<>();
        for (int i = messages.size() - 1; i >= 0 && messages.get(i).role().startsWith("functions."); i--) {
            results.addFirst(unquote(messages.get(i).content, mapper));
        }
        PromptView.Prefill prefill = prefill(tail);
        PromptView.Thinking thinking = tail.strip().equals("assistant") ? PromptView.Thinking.ON : PromptView.Thinking.OFF;
        return new PromptView(Family.HARMONY, system.toString(), lastUser, results, tools, thinking, effort, prefill);
    }

    private static PromptView.Prefill prefill(String tail) {
        Matcher args = PREFILL_ARGS.matcher(tail);
        if (args.find()) {
            return new PromptView.Prefill(args.group(1));
        }
        return tail.endsWith("to=functions.") ? new PromptView.Prefill(null) : null;
    }

    private static int firstEnd(String prompt, int from) {
        int best = -1;
        for (String e : ENDS) {
            int i = prompt.indexOf(e, from);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** A tool result the template wrote with {@code tojson} is a JSON string literal: the text is inside it. */
    private static String unquote(String content, ObjectMapper mapper) {
        String s = content.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            try {
                JsonNode n = mapper.readTree(s);
                if (n.isTextual()) {
                    return n.textValue();
                }
            } catch (IOException notAString) {
                // keep the raw content
            }
        }
        return content;
    }
}
