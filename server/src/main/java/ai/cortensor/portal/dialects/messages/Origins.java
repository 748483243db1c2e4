package ai.cortensor.portal.dialects.messages;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each message of the rendered conversation came from in the client's request: the top-level
 * {@code system}, {@code messages[i]}, or the {@code tool_result} block {@code messages[i].content[j]} (a user
 * message's results each become a message of their own). The families blame conversation messages
 * ({@code messages[3].tool_calls[0].function.arguments}); this names the client's field instead
 * ({@code messages[1].content[2].input}).
 *
 * @param paths         the client path of each conversation message
 * @param toolUseBlocks for an assistant message, the block index of each of its tool calls
 */
record Origins(List<String> paths, List<List<Integer>> toolUseBlocks) {
    private static final Pattern MESSAGE = Pattern.compile("messages\\[(\\d+)](.*)");
    private static final Pattern CALL = Pattern.compile("\\.tool_calls\\[(\\d+)](.*)");

    /** The client's name for a conversation field; other fields are returned as they are. */
    String field(String conversationField) {
        Matcher m = MESSAGE.matcher(conversationField);
        if (!m.matches()) {
            return conversationField;
        }
        int n = Integer.parseInt(m.group(1));
        if (n >= paths.size()) {
            return "messages";
        }
        String base = paths.get(n);
        String rest = m.group(2);
        Matcher call = CALL.matcher(rest);
        if (call.matches()) {
            int j = Integer.parseInt(call.group(1));
            List<Integer> blocks = toolUseBlocks.get(n);
            return j >= blocks.size() ? base : base + ".content[" + blocks.get(j) + "]"
                    + (call.group(2).startsWith(".function.arguments") ? ".input" : "");
        }
        if (rest.startsWith(".content") && !base.equals("system")) {
            return base + ".content";
        }
        return base; // the message itself, or a field of it the Messages API does not have (reasoning_content)
    }

    static final class Builder {
        private final List<String> paths = new ArrayList<>();
        private final List<List<Integer>> blocks = new ArrayList<>();

        void add(String path, List<Integer> toolUseBlocks) {
            paths.add(path);
            blocks.add(toolUseBlocks);
        }

        Origins build() {
            return new Origins(List.copyOf(paths), List.copyOf(blocks));
        }
    }
}
