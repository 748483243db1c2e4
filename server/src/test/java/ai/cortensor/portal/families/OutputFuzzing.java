package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the output-parser fuzz tests assert for any text a model (or a broken router) may write: the parser never
 * throws, the events of the whole text are those of any split of it ({@link OutputParser}'s contract: streaming and
 * non-streaming agree), and what it emits is bounded by what it read.
 *
 * <p>An input is one mode byte, then the model's text as UTF-8. The mode's low bits choose the state the prompt
 * leaves the parser in: bit 0 thinking on (Gemma: the prompt ends inside an open thought), bit 1 tools offered;
 * seeds use the digits {@code 0}-{@code 3}. In the text, U+001F (unit separator) marks where the stream is split
 * into pieces; it is removed before parsing. Short texts are also streamed one UTF-16 unit at a time, which splits
 * surrogate pairs as a router's JSON escapes may.
 */
final class OutputFuzzing {
    static final char SPLIT = '\u001f';
    private static final int CHAR_BY_CHAR_MAX = 512;

    private OutputFuzzing() {}

    /** The rendered prompt a mode stands for: only its flags (and Gemma's open thought) matter to the parser. */
    static Rendered rendered(Family family, int mode) {
        boolean thinking = (mode & 1) != 0;
        boolean tools = (mode & 2) != 0;
        String prompt = family == Families.GEMMA_4 && thinking ? Gemma4Renderer.OPEN_THOUGHT : "";
        return Rendered.of(prompt, thinking, tools);
    }

    static void check(Family family, byte[] input) {
        if (input.length == 0) {
            return;
        }
        Rendered rendered = rendered(family, input[0]);
        String marked = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        List<String> pieces = List.of(marked.split(String.valueOf(SPLIT), -1));
        String text = String.join("", pieces);

        ParsedOutput whole = ParsedOutput.parse(family, rendered, text, false);
        assertBounded(whole, text);
        assertThat(stream(family, rendered, pieces)).as("the same text in %d pieces", pieces.size()).isEqualTo(whole);
        if (text.length() <= CHAR_BY_CHAR_MAX) {
            List<String> units = new ArrayList<>(text.length());
            for (int i = 0; i < text.length(); i++) {
                units.add(String.valueOf(text.charAt(i)));
            }
            assertThat(stream(family, rendered, units)).as("the same text one char at a time").isEqualTo(whole);
        }
    }

    /** Feeds {@code pieces} to a fresh parser behind a TrimmingSink, as the gateway's stream does. */
    static ParsedOutput stream(Family family, Rendered rendered, List<String> pieces) {
        ParsedOutput.Collector c = new ParsedOutput.Collector();
        OutputSink sink = new TrimmingSink(new Checked(c));
        OutputParser p = family.parser(rendered);
        for (String piece : pieces) {
            p.feed(piece, sink);
        }
        p.finish(sink);
        return c.result(false);
    }

    /**
     * Everything emitted is at most a constant factor of the text read (Gemma's arguments grow most: a value becomes
     * a JSON string, a control character its six-character escape), plus a little per call.
     */
    private static void assertBounded(ParsedOutput p, String text) {
        long out = length(p.content()) + length(p.reasoning());
        for (ParsedOutput.Call call : p.toolCalls()) {
            out += call.name().length() + call.arguments().length();
        }
        assertThat(out).as("characters emitted for %d read", text.length()).isLessThanOrEqualTo(8L * text.length() + 64);
    }

    private static long length(String s) {
        return s == null ? 0 : s.length();
    }

    /** Checks the event order {@link OutputSink} promises: calls numbered from 0, arguments only for a started call. */
    private static final class Checked implements OutputSink {
        private final OutputSink next;
        private int started;

        Checked(OutputSink next) {
            this.next = next;
        }

        @Override
        public void reasoning(String delta) {
            next.reasoning(delta);
        }

        @Override
        public void content(String delta) {
            next.content(delta);
        }

        @Override
        public void toolCallStart(int index, String name) {
            assertThat(index).as("the next call's index").isEqualTo(started);
            assertThat(name).as("call %d's name", index).isNotNull();
            started++;
            next.toolCallStart(index, name);
        }

        @Override
        public void toolCallArguments(int index, String delta) {
            assertThat(index).as("arguments of a started call").isBetween(0, started - 1);
            next.toolCallArguments(index, delta);
        }
    }
}
