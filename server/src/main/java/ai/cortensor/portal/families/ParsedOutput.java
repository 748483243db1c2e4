package ai.cortensor.portal.families;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole completion, parsed: what a non-streaming response returns. Built by feeding the text through the same
 * parser a stream uses, so both agree. {@code content} and {@code reasoning} are trimmed and null when empty.
 * {@code finishReason} is {@code tool_calls} when at least one call was parsed, else {@code length} when the model
 * was cut by max_tokens, else {@code stop}.
 */
public record ParsedOutput(String content, String reasoning, List<Call> toolCalls, String finishReason) {

    public record Call(String name, String arguments) {}

    /** Parses {@code raw}, the text the model wrote after {@code rendered}'s prompt (its prefill is read first). */
    public static ParsedOutput parse(Family family, Rendered rendered, String raw, boolean cutByLength) {
        Collector c = new Collector();
        OutputParser p = family.parser(rendered);
        OutputSink sink = new TrimmingSink(c);
        if (!rendered.prefill().isEmpty()) {
            p.feed(rendered.prefill(), sink);
        }
        p.feed(raw, sink);
        p.finish(sink);
        return c.result(cutByLength);
    }

    /** Collects events into a {@link ParsedOutput}. */
    public static final class Collector implements OutputSink {
        private final StringBuilder content = new StringBuilder();
        private final StringBuilder reasoning = new StringBuilder();
        private final List<String> names = new ArrayList<>();
        private final List<StringBuilder> arguments = new ArrayList<>();

        @Override
        public void reasoning(String delta) {
            reasoning.append(delta);
        }

        @Override
        public void content(String delta) {
            content.append(delta);
        }

        @Override
        public void toolCallStart(int index, String name) {
            names.add(name);
            arguments.add(new StringBuilder());
        }

        @Override
        public void toolCallArguments(int index, String delta) {
            arguments.get(index).append(delta);
        }

        public ParsedOutput result(boolean cutByLength) {
            List<Call> calls = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                calls.add(new Call(names.get(i), arguments.get(i).toString()));
            }
            String finish = !calls.isEmpty() ? "tool_calls" : cutByLength ? "length" : "stop";
            return new ParsedOutput(emptyToNull(content.toString().strip()), emptyToNull(reasoning.toString().strip()),
                    List.copyOf(calls), finish);
        }

        private static String emptyToNull(String s) {
            return s.isEmpty() ? null : s;
        }
    }
}
