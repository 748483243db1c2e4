package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.QwenFamilyTest.QWEN;
import static ai.cortensor.portal.families.QwenFamilyTest.TODAY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Parsing the official output examples, whole and streamed in every split. */
class QwenParserTest {

    static Stream<Vectors.Output> examples() {
        return Vectors.outputs("qwen").stream();
    }

    /** The prompt of an example: its prompt case, else a thinking-on conversation offering the catalog's tools. */
    static Rendered renderedFor(Vectors.Output e) {
        Conversation c = e.promptCase() != null ? Vectors.byId(e.promptCase()).conversation("qwen")
                : new Conversation(List.of(Message.user("Hi")), Vectors.byId("c06_tools_declared_no_calls").tools(),
                        ToolChoice.AUTO, true, ResponseFormat.TEXT, Reasoning.DEFAULT);
        return QWEN.render(c, TODAY);
    }

    /**
     * The raw text as the parser is fed it. The parser recognises stop tokens itself, so a trailing stop token
     * ('stop_token_in_raw') is left in place.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void parses_every_official_output_example(Vectors.Output e) {
        ParsedOutput p = ParsedOutput.parse(QWEN, renderedFor(e), e.raw(), e.stop().equals("length"));
        assertMatches(p, e.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void streams_every_example_identically_at_every_split_point(Vectors.Output e) {
        Rendered r = renderedFor(e);
        String text = r.prefill() + e.raw();
        boolean length = e.stop().equals("length");
        for (int i = 0; i <= text.length(); i++) {
            assertMatches(stream(r, List.of(text.substring(0, i), text.substring(i)), length), e.expected());
        }
        assertMatches(stream(r, chars(text), length), e.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void parses_the_same_with_a_stop_token_at_the_end_and_ignores_what_follows(Vectors.Output e) {
        Rendered r = renderedFor(e);
        JsonNode expected = e.expected().deepCopy();
        if (e.stop().equals("length")) { // the model now ended its turn instead of being cut
            ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("finish_reason", "stop");
        }
        for (String stop : List.of("<|im_end|>", "<|endoftext|>")) {
            String text = r.prefill() + e.raw() + stop + "ignored <tool_call>{\"name\": \"x\"}</tool_call>";
            OutputParser probe = QWEN.parser(r);
            probe.feed(text, new ParsedOutput.Collector());
            assertThat(probe.ended()).isTrue();
            for (int i = 0; i <= text.length(); i += 3) {
                assertMatches(stream(r, List.of(text.substring(0, i), text.substring(i)), false), expected);
            }
            assertMatches(stream(r, chars(text), false), expected);
        }
    }

    /** Feeds {@code pieces} through a fresh parser into a Collector behind a TrimmingSink, as a stream does. */
    static ParsedOutput stream(Rendered r, List<String> pieces, boolean cutByLength) {
        ParsedOutput.Collector c = new ParsedOutput.Collector();
        OutputSink sink = new TrimmingSink(c);
        OutputParser p = QWEN.parser(r);
        for (String piece : pieces) {
            p.feed(piece, sink);
        }
        p.finish(sink);
        return c.result(cutByLength);
    }

    static List<String> chars(String s) {
        List<String> out = new ArrayList<>();
        s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }

    static void assertMatches(ParsedOutput p, JsonNode expected) {
        assertThat(p.content()).as("content").isEqualTo(textOrNull(expected.get("content")));
        assertThat(p.reasoning()).as("reasoning").isEqualTo(textOrNull(expected.get("reasoning")));
        JsonNode calls = expected.get("tool_calls");
        assertThat(p.toolCalls()).as("tool calls").hasSize(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            assertThat(p.toolCalls().get(i).name()).isEqualTo(calls.get(i).get("name").asText());
            assertThat(json(p.toolCalls().get(i).arguments())).as("arguments of call %d", i)
                    .isEqualTo(json(calls.get(i).get("arguments").asText()));
        }
        assertThat(p.finishReason()).isEqualTo(expected.get("finish_reason").asText());
    }

    static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    static JsonNode json(String s) {
        try {
            return Vectors.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }
}
