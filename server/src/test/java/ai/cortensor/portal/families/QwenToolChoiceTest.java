package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.QwenFamilyTest.GEN;
import static ai.cortensor.portal.families.QwenFamilyTest.QWEN;
import static ai.cortensor.portal.families.QwenFamilyTest.TODAY;
import static ai.cortensor.portal.families.QwenFamilyTest.official;
import static ai.cortensor.portal.families.QwenParserTest.chars;
import static ai.cortensor.portal.families.QwenParserTest.json;
import static ai.cortensor.portal.families.QwenParserTest.stream;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** tool_choice: forced calls by prefill, none by offering nothing (and reading call markup as text). */
class QwenToolChoiceTest {
    static final String C07 = "c07_tool_call_single_roundtrip";
    static final String C06 = "c06_tools_declared_no_calls";

    static Conversation c06() {
        return Vectors.byId(C06).conversation("qwen");
    }

    @Test
    void a_named_tool_choice_prefills_the_call_opening_and_skips_thinking() {
        Rendered r = QWEN.render(c06().withToolChoice(new ToolChoice.Named("search_flights")), TODAY);
        String prefill = "<think>\n\n</think>\n\n<tool_call>\n{\"name\": \"search_flights\", \"arguments\": ";
        assertThat(r.prefill()).isEqualTo(prefill);
        assertThat(r.prompt()).isEqualTo(official(C06) + prefill);
        assertThat(r.prompt()).endsWith(GEN + prefill);
        assertThat(r.thinking()).isFalse();
        assertThat(r.toolsOffered()).isTrue();

        String completion = "{\"origin\": \"SFO\", \"destination\": \"NRT\", \"date\": \"2026-12-20\", "
                + "\"cabin\": \"business\", \"passengers\": {\"adults\": 2}}}\n</tool_call>";
        ParsedOutput p = ParsedOutput.parse(QWEN, r, completion, false);
        assertThat(p.toolCalls()).hasSize(1);
        assertThat(p.toolCalls().get(0).name()).isEqualTo("search_flights");
        assertThat(json(p.toolCalls().get(0).arguments())).isEqualTo(json(completion.substring(0,
                completion.indexOf("}}}") + 2)));
        assertThat(p.content()).isNull();
        assertThat(p.reasoning()).isNull();
        assertThat(p.finishReason()).isEqualTo("tool_calls");
        String text = prefill + completion;
        for (int i = 0; i <= text.length(); i++) {
            assertThat(stream(r, List.of(text.substring(0, i), text.substring(i)), false)).isEqualTo(p);
        }
        assertThat(stream(r, chars(text), false)).isEqualTo(p);
    }

    @Test
    void a_required_tool_choice_prefills_up_to_the_name_even_with_thinking_requested() {
        Conversation c = c06().withToolChoice(ToolChoice.REQUIRED);
        c = new Conversation(c.messages(), c.tools(), c.toolChoice(), true, ResponseFormat.TEXT,
                new Reasoning("high", true));
        Rendered r = QWEN.render(c, TODAY);
        String prefill = "<think>\n\n</think>\n\n<tool_call>\n{\"name\": \"";
        assertThat(r.prefill()).isEqualTo(prefill);
        assertThat(r.prompt()).isEqualTo(official(C06) + prefill);
        assertThat(r.thinking()).isFalse();

        String completion = "get_time\", \"arguments\": {\"timezone\": \"Asia/Tokyo\"}}\n</tool_call><|im_end|>";
        ParsedOutput p = ParsedOutput.parse(QWEN, r, completion, false);
        assertThat(p.toolCalls()).containsExactly(new ParsedOutput.Call("get_time", "{\"timezone\": \"Asia/Tokyo\"}"));
        assertThat(p.content()).isNull();
        String text = prefill + completion;
        for (int i = 0; i <= text.length(); i++) {
            assertThat(stream(r, List.of(text.substring(0, i), text.substring(i)), false)).isEqualTo(p);
        }
    }

    @Test
    void a_forced_call_followed_by_a_second_call_yields_both() {
        Rendered r = QWEN.render(c06().withToolChoice(ToolChoice.REQUIRED), TODAY);
        ParsedOutput p = ParsedOutput.parse(QWEN, r, "get_time\", \"arguments\": {\"timezone\": \"UTC\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"get_location\", \"arguments\": {}}\n</tool_call>", false);
        assertThat(p.toolCalls()).extracting(ParsedOutput.Call::name).containsExactly("get_time", "get_location");
    }

    @Test
    void a_named_choice_on_a_thinking_off_request_writes_one_empty_think_block() {
        Conversation c = c06().withToolChoice(new ToolChoice.Named("get_time"));
        c = new Conversation(c.messages(), c.tools(), c.toolChoice(), true, ResponseFormat.TEXT,
                new Reasoning(null, false));
        Rendered r = QWEN.render(c, TODAY);
        assertThat(r.prompt()).endsWith(GEN + "<think>\n\n</think>\n\n<tool_call>\n{\"name\": \"get_time\", "
                + "\"arguments\": ");
        assertThat(QwenFamilyTest.count(r.prompt(), "<think>")).isEqualTo(1);
    }

    @Test
    void tool_choice_none_renders_no_tools_and_reads_tool_call_markup_as_content() {
        Conversation c = Vectors.byId(C07).conversation("qwen").withToolChoice(ToolChoice.NONE);
        Rendered r = QWEN.render(c, TODAY);
        assertThat(r.prompt()).doesNotContain("# Tools", "<tools>")
                .startsWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n")
                .contains("<tool_call>\n{\"name\": \"get_weather\""); // the history's call is still shown
        assertThat(r.toolsOffered()).isFalse();
        String raw = "<think>\nok\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>";
        ParsedOutput p = ParsedOutput.parse(QWEN, r, raw, false);
        assertThat(p.toolCalls()).isEmpty();
        assertThat(p.reasoning()).isEqualTo("ok");
        assertThat(p.content()).isEqualTo("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>");
        assertThat(p.finishReason()).isEqualTo("stop");
    }
}
