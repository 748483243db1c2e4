package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Gemma 4 output vector, parsed whole and under every streaming split. */
class Gemma4ParserTest {
    static final Family GEMMA = Families.GEMMA_4;
    /** Examples without a prompt case are tool outputs: read them against a prompt that offers tools. */
    static final String TOOLS_CASE = "c06_tools_declared_no_calls";

    static Stream<Vectors.Output> outputs() {
        return Vectors.outputs("gemma-4").stream();
    }

    static Rendered rendered(Vectors.Output o) {
        return Gemma4FamilyTest.render(o.promptCase() != null ? o.promptCase() : TOOLS_CASE);
    }

    static void assertExpected(ParsedOutput out, JsonNode expected) {
        assertThat(out.content()).isEqualTo(expected.get("content").isNull() ? null : expected.get("content").asText());
        assertThat(out.reasoning()).isEqualTo(expected.get("reasoning").isNull() ? null
                : expected.get("reasoning").asText());
        List<String> names = new ArrayList<>();
        List<JsonNode> args = new ArrayList<>();
        for (JsonNode call : expected.get("tool_calls")) {
            names.add(call.get("name").asText());
            args.add(Vectors.parse(call.get("arguments").asText()));
        }
        assertThat(out.toolCalls()).extracting(ParsedOutput.Call::name).containsExactlyElementsOf(names);
        assertThat(out.toolCalls()).extracting(c -> Vectors.parse(c.arguments())).containsExactlyElementsOf(args);
        assertThat(out.finishReason()).isEqualTo(expected.get("finish_reason").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void parsesEveryExampleAsExpected(Vectors.Output o) {
        ParsedOutput out = ParsedOutput.parse(GEMMA, rendered(o), o.raw(), o.stop().equals("length"));
        assertExpected(out, o.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void everyTwoWaySplitParsesTheSame(Vectors.Output o) {
        Rendered r = rendered(o);
        ParsedOutput whole = ParsedOutput.parse(GEMMA, r, o.raw(), o.stop().equals("length"));
        for (int i = 0; i <= o.raw().length(); i++) {
            int at = i;
            ParsedOutput split = stream(r, o.raw(), o.stop().equals("length"),
                    s -> List.of(s.substring(0, at), s.substring(at)));
            assertThat(split).as("split at %d", i).isEqualTo(whole);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void characterByCharacterParsesTheSame(Vectors.Output o) {
        Rendered r = rendered(o);
        ParsedOutput out = stream(r, o.raw(), o.stop().equals("length"), Gemma4ParserTest::chars);
        assertExpected(out, o.expected());
        assertThat(out).isEqualTo(ParsedOutput.parse(GEMMA, r, o.raw(), o.stop().equals("length")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void thePrefillCanArriveSplitToo(Vectors.Output o) {
        // the forced-call prefill is read first, as the model's own text: split it together with the raw output
        Rendered r = GEMMA.render(Vectors.byId(TOOLS_CASE).conversation("gemma-4")
                .withToolChoice(new ToolChoice.Named("get_weather")), Gemma4FamilyTest.TODAY);
        String raw = "location:<|\"|>Paris<|\"|>}<tool_call|>" + o.raw();
        ParsedOutput whole = ParsedOutput.parse(GEMMA, r, raw, false);
        assertThat(whole.toolCalls().get(0)).isEqualTo(new ParsedOutput.Call("get_weather",
                "{\"location\": \"Paris\"}"));
        ParsedOutput chars = streamWithPrefill(r, raw);
        assertThat(chars).isEqualTo(whole);
    }

    /** Streams {@code raw} in the pieces {@code split} makes, through the sinks a streaming response uses. */
    static ParsedOutput stream(Rendered r, String raw, boolean cut, Function<String, List<String>> split) {
        ParsedOutput.Collector collector = new ParsedOutput.Collector();
        OutputSink sink = new TrimmingSink(collector);
        OutputParser p = GEMMA.parser(r);
        if (!r.prefill().isEmpty()) {
            p.feed(r.prefill(), sink);
        }
        for (String piece : split.apply(raw)) {
            p.feed(piece, sink);
        }
        p.finish(sink);
        return collector.result(cut);
    }

    /** Prefill and output fed character by character, as one text. */
    static ParsedOutput streamWithPrefill(Rendered r, String raw) {
        ParsedOutput.Collector collector = new ParsedOutput.Collector();
        OutputSink sink = new TrimmingSink(collector);
        OutputParser p = GEMMA.parser(r);
        for (String piece : chars(r.prefill() + raw)) {
            p.feed(piece, sink);
        }
        p.finish(sink);
        return collector.result(false);
    }

    static List<String> chars(String s) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            out.add(s.substring(i, i + 1));
        }
        return out;
    }
}
