package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.QwenFamilyTest.QWEN;
import static ai.cortensor.portal.families.QwenParserTest.chars;
import static ai.cortensor.portal.families.QwenParserTest.stream;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Parser behaviour beyond the official examples: hold-back, stop tokens, malformed output, thinking off. */
class QwenParserEdgeTest {
    static final Rendered THINKING_TOOLS = Rendered.of("p", true, true);
    static final Rendered THINKING = Rendered.of("p", true, false);
    static final Rendered OFF_TOOLS = Rendered.of("p", false, true);

    /** Records every event with the feed it came in. */
    static final class Recorder implements OutputSink {
        final List<String> events = new ArrayList<>();

        public void reasoning(String d) {
            events.add("R:" + d);
        }

        public void content(String d) {
            events.add("C:" + d);
        }

        public void toolCallStart(int i, String name) {
            events.add("S" + i + ":" + name);
        }

        public void toolCallArguments(int i, String d) {
            events.add("A" + i + ":" + d);
        }
    }

    @Test
    void holds_back_only_what_could_still_be_a_tag() {
        OutputParser p = QWEN.parser(THINKING_TOOLS);
        Recorder r = new Recorder();
        p.feed("<think>\nstep one </thi", r);
        assertThat(r.events).containsExactly("R:\nstep one ");
        p.feed("nk-ish <b> </th", r);
        assertThat(r.events).containsExactly("R:\nstep one ", "R:</think-ish <b> ");
        p.feed("ink>Answer <tool_c", r);
        assertThat(r.events).endsWith("C:Answer ");
        p.feed("all is not a tag", r);
        assertThat(r.events).endsWith("C:<tool_call is not a tag");
        p.feed("<|im_e", r);
        assertThat(r.events).endsWith("C:<tool_call is not a tag");
        p.feed("nd|>", r);
        assertThat(p.ended()).isTrue();
        p.finish(r);
        assertThat(r.events).hasSize(4);
    }

    @Test
    void thinking_on_text_without_an_opener_waits_for_what_decides_it() {
        OutputParser p = QWEN.parser(THINKING);
        Recorder r = new Recorder();
        p.feed("maybe reasoning", r);
        assertThat(r.events).isEmpty();
        p.feed("</think>answer", r);
        assertThat(r.events).containsExactly("R:maybe reasoning", "C:answer");

        assertThat(parse(THINKING, "just an answer")).isEqualTo(new ParsedOutput("just an answer", null, List.of(),
                "stop"));
        assertThat(parse(THINKING, "preamble <think>thought</think> answer")).isEqualTo(
                new ParsedOutput("preamble  answer", "thought", List.of(), "stop"));
        assertThat(parse(THINKING_TOOLS, "Calling.<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>"))
                .isEqualTo(new ParsedOutput("Calling.", null, List.of(new ParsedOutput.Call("f", "{}")), "tool_calls"));
    }

    @Test
    void reasoning_keeps_tags_other_than_its_end_as_text() {
        ParsedOutput p = parse(THINKING_TOOLS, "<think>maybe <tool_call>{\"name\": \"f\"}</tool_call> later");
        assertThat(p.reasoning()).isEqualTo("maybe <tool_call>{\"name\": \"f\"}</tool_call> later");
        assertThat(p.toolCalls()).isEmpty();
    }

    @Test
    void thinking_off_reads_think_tags_as_content_but_drops_a_leading_empty_block() {
        assertThat(parse(OFF_TOOLS, "<think>\nx\n</think>\n\ny").content()).isEqualTo("<think>\nx\n</think>\n\ny");
        assertThat(parse(OFF_TOOLS, "<think>\n\n</think>\n\nHello")).isEqualTo(new ParsedOutput("Hello", null,
                List.of(), "stop"));
        assertThat(parse(OFF_TOOLS, "<think>\n")).isEqualTo(new ParsedOutput("<think>", null, List.of(), "stop"));
    }

    @Test
    void malformed_calls_become_their_raw_text_and_valid_neighbours_still_count() {
        String bad = "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": tru}}\n</tool_call>";
        String good = "<tool_call>\n{\"name\": \"g\", \"arguments\": {\"b\": [1, 2.5, null]}}\n</tool_call>";
        ParsedOutput p = parse(THINKING_TOOLS, "<think>t</think>" + bad + "\n" + good + "\nDone.");
        assertThat(p.content()).isEqualTo(bad + "\n\nDone.");
        assertThat(p.toolCalls()).containsExactly(new ParsedOutput.Call("g", "{\"b\": [1, 2.5, null]}"));
        for (String body : List.of("", "[]", "{\"arguments\": {}}", "{\"name\": \"\"}", "{\"name\": 3}",
                "{\"name\": \"f\"} trailing", "\"text\"", "{\"name\": \"f\", \"arguments\": {}", "{" .repeat(5000))) {
            String raw = "<tool_call>" + body + "</tool_call>";
            assertThat(parse(OFF_TOOLS, raw)).as(body).isEqualTo(new ParsedOutput(raw.strip(), null, List.of(),
                    "stop"));
        }
    }

    @Test
    void a_call_without_arguments_reads_as_empty_arguments_and_an_unclosed_block_is_closed_by_the_next() {
        ParsedOutput p = parse(OFF_TOOLS, "<tool_call>{\"name\": \"a\"}<tool_call>{\"name\": \"b\", \"arguments\": null}");
        assertThat(p.toolCalls()).containsExactly(new ParsedOutput.Call("a", "{}"), new ParsedOutput.Call("b", "{}"));
        assertThat(p.content()).isNull();
    }

    @Test
    void a_stop_token_ends_the_turn_in_every_state() {
        for (String raw : List.of("<think>r<|im_end|>x", "<think>r</think>c<|im_end|>x",
                "<tool_call>{\"name\": \"f\", \"arguments\": {}}<|endoftext|><tool_call>{\"name\": \"g\"}</tool_call>",
                "undecided<|im_end|></think>x")) {
            OutputParser p = QWEN.parser(THINKING_TOOLS);
            ParsedOutput.Collector c = new ParsedOutput.Collector();
            p.feed(raw, c);
            assertThat(p.ended()).as(raw).isTrue();
            p.feed("more <think>", c);
            p.finish(c);
            ParsedOutput whole = c.result(false);
            assertThat(whole.toString()).doesNotContain("x", "more", "\"g\"");
        }
        assertThat(parse(THINKING_TOOLS, "undecided<|im_end|></think>x").content()).isEqualTo("undecided");
    }

    @Test
    void arguments_are_re_serialised_like_vllm_and_keep_unicode_and_key_order() {
        ParsedOutput p = parse(OFF_TOOLS, "<tool_call>{\"name\":\"send\",\"arguments\":{\"to\":\"Zoë\",\"body\":"
                + "\"a\\\"b\\n日本\",\"n\":1.0,\"big\":12345678901234567890,\"a\":{}}}</tool_call>");
        assertThat(p.toolCalls().get(0).arguments())
                .isEqualTo("{\"to\": \"Zoë\", \"body\": \"a\\\"b\\n日本\", \"n\": 1.0, \"big\": 12345678901234567890, \"a\": {}}");
    }

    @Test
    void random_splits_of_noisy_output_agree_with_one_feed() {
        String text = "  <think>\nA < B and </thinking> or </think> x<tool_call>\n{\"name\": \"f\", \"arguments\": "
                + "{\"s\": \"</tool_c\"}}\n</tool_call> <tool_call>{bad</tool_call> <tool_call>\n{\"name\": \"g\", "
                + "\"arguments\": {}}\n <|endofte <|im_en tail";
        Random random = new Random(42);
        for (Rendered r : List.of(THINKING_TOOLS, THINKING, OFF_TOOLS, Rendered.of("p", false, false))) {
            ParsedOutput whole = stream(r, List.of(text), false);
            assertThat(stream(r, chars(text), false)).isEqualTo(whole);
            for (int n = 0; n < 300; n++) {
                List<String> pieces = new ArrayList<>();
                for (int i = 0; i < text.length(); ) {
                    int len = 1 + random.nextInt(12);
                    pieces.add(text.substring(i, Math.min(text.length(), i + len)));
                    i += len;
                }
                assertThat(stream(r, pieces, false)).isEqualTo(whole);
            }
        }
        assertThat(stream(THINKING_TOOLS, List.of(text), false).toolCalls()).extracting(ParsedOutput.Call::name)
                .containsExactly("f");
    }

    static ParsedOutput parse(Rendered r, String raw) {
        return ParsedOutput.parse(QWEN, r, raw, false);
    }
}
