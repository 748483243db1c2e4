package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The raw gpt-oss outputs of outputs/oss.json parse to their expected OpenAI fields, whole and however streamed. */
class HarmonyOutputsTest {
    /** A prompt that offers tools (c06), as the outputs with tool calls assume. */
    static final Rendered WITH_TOOLS = HarmonyFamilyTest.render("c06_tools_declared_no_calls");

    static Stream<Arguments> outputs() {
        return Vectors.outputs("oss").stream().map(o -> Arguments.of(o.id(), o));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void parsesToTheExpectedFields(String id, Vectors.Output o) {
        assertMatches(ParsedOutput.parse(Families.GPT_OSS, WITH_TOOLS, o.raw(), o.stop().equals("length")), o);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void everyTwoWaySplitAndCharByCharGiveTheSameResultAsOneFeed(String id, Vectors.Output o) {
        boolean length = o.stop().equals("length");
        ParsedOutput whole = ParsedOutput.parse(Families.GPT_OSS, WITH_TOOLS, o.raw(), length);
        Events wholeEvents = Events.of(WITH_TOOLS, List.of(o.raw()));
        for (List<String> pieces : splits(o.raw())) {
            assertThat(streamed(WITH_TOOLS, pieces, length)).as("split %s", pieces).isEqualTo(whole);
            assertThat(Events.of(WITH_TOOLS, pieces)).as("split %s", pieces).isEqualTo(wholeEvents);
        }
        assertMatches(whole, o);
    }

    /** Every 2-way split and the char-by-char split of {@code s}. */
    static List<List<String>> splits(String s) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 1; i < s.length(); i++) {
            out.add(List.of(s.substring(0, i), s.substring(i)));
        }
        List<String> chars = new ArrayList<>();
        s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
        out.add(chars);
        return out;
    }

    /** The parse of {@code pieces} fed one by one (after the prefill), collected behind a {@link TrimmingSink}. */
    static ParsedOutput streamed(Rendered r, List<String> pieces, boolean length) {
        ParsedOutput.Collector c = new ParsedOutput.Collector();
        OutputSink sink = new TrimmingSink(c);
        OutputParser p = Families.GPT_OSS.parser(r);
        if (!r.prefill().isEmpty()) {
            p.feed(r.prefill(), sink);
        }
        pieces.forEach(piece -> p.feed(piece, sink));
        p.finish(sink);
        return c.result(length);
    }

    static void assertMatches(ParsedOutput got, Vectors.Output o) {
        JsonNode e = o.expected();
        assertThat(got.content()).as("content").isEqualTo(e.get("content").isNull() ? null : e.get("content").asText());
        assertThat(got.reasoning()).as("reasoning")
                .isEqualTo(e.get("reasoning").isNull() ? null : e.get("reasoning").asText());
        assertThat(got.finishReason()).as("finish_reason").isEqualTo(e.get("finish_reason").asText());
        assertThat(got.toolCalls()).as("tool calls").hasSize(e.get("tool_calls").size());
        for (int i = 0; i < got.toolCalls().size(); i++) {
            JsonNode want = e.get("tool_calls").get(i);
            assertThat(got.toolCalls().get(i).name()).isEqualTo(want.get("name").asText());
            assertSameArguments(got.toolCalls().get(i).arguments(), want.get("arguments").asText());
        }
    }

    /** Equal as JSON when the expected arguments are JSON, else byte for byte (o10). */
    static void assertSameArguments(String got, String want) {
        JsonNode w = json(want);
        if (w == null) {
            assertThat(got).isEqualTo(want);
        } else {
            assertThat(json(got)).as("arguments %s", got).isEqualTo(w);
        }
    }

    static JsonNode json(String s) {
        try {
            return Vectors.MAPPER.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }

    /** The untrimmed events, concatenated per kind and per call: must not depend on how the text was split. */
    record Events(String content, String reasoning, List<String> names, List<String> arguments, boolean ended) {
        static Events of(Rendered r, List<String> pieces) {
            StringBuilder content = new StringBuilder(), reasoning = new StringBuilder();
            List<String> names = new ArrayList<>();
            List<StringBuilder> args = new ArrayList<>();
            OutputSink sink = new OutputSink() {
                @Override
                public void reasoning(String d) {
                    reasoning.append(d);
                }

                @Override
                public void content(String d) {
                    content.append(d);
                }

                @Override
                public void toolCallStart(int index, String name) {
                    assertThat(index).isEqualTo(names.size());
                    names.add(name);
                    args.add(new StringBuilder());
                }

                @Override
                public void toolCallArguments(int index, String d) {
                    args.get(index).append(d);
                }
            };
            OutputParser p = Families.GPT_OSS.parser(r);
            p.feed(r.prefill(), sink);
            pieces.forEach(piece -> p.feed(piece, sink));
            boolean ended = p.ended();
            p.finish(sink);
            return new Events(content.toString(), reasoning.toString(), names,
                    args.stream().map(StringBuilder::toString).toList(), ended);
        }
    }
}
