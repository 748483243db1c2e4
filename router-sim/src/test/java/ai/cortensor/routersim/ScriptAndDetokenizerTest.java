package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScriptAndDetokenizerTest extends FamilyTestBase {

    @Test
    void script_sends_exactly_its_chunks_one_frame_each_for_any_prompt() {
        List<String> chunks = List.of("<|chan", "nel|>final<|message|>", "Hi \"there\"\n", "<|return|>");
        sim.behave(Behavior.defaults().withScript(chunks).withUsageInStream(true));

        for (String prompt : new String[] {prompt("oss", "c01_single_user"), "a plain prompt"}) {
            Streamed streamed = stream(prompt, 0);
            Completion whole = complete(prompt);

            assertThat(streamed.frames()).isEqualTo(chunks);
            assertThat(whole.text()).isEqualTo(String.join("", chunks));
            assertThat(whole.completionTokens()).isEqualTo(4).isEqualTo(streamed.completionTokens());
            assertThat(whole.finish()).isEqualTo("stop");
        }
    }

    @Test
    void script_is_cut_by_max_tokens() {
        sim.behave(Behavior.defaults().withScript("<tool_call>", "\n{\"name\": \"x\", ", "\"arguments\": {}}"));

        Completion c = complete(prompt("qwen", "c01_single_user"), 2);

        assertThat(c.text()).isEqualTo("<tool_call>\n{\"name\": \"x\", ");
        assertThat(c.finish()).isEqualTo("length");
    }

    @Test
    void script_can_be_set_through_the_control_endpoint() {
        HttpResponse<String> put = client.put("/_sim/behavior", "{\"script\":[\"<|tool_call>call:f{\",\"a:1\"]}");

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(sim.behavior().script()).containsExactly("<|tool_call>call:f{", "a:1");
        assertThat(stream(prompt("gemma-4", "c01_single_user"), 0).frames()).containsExactly("<|tool_call>call:f{", "a:1");
        assertThat(client.put("/_sim/behavior", "{\"script\":[]}").statusCode()).isEqualTo(200);
        assertThat(complete(prompt("gemma-4", "c01_single_user")).text()).isEqualTo(ANSWER);
    }

    @Test
    void dropped_special_tokens_vanish_from_text_and_frames_but_still_count() {
        sim.behave(Behavior.defaults().withDropSpecialTokens(true).withUsageInStream(true));
        String prompt = prompt("oss", "c01_single_user");

        Completion whole = complete(prompt);
        Streamed streamed = stream(prompt, 0);

        assertThat(whole.text()).isEqualTo("analysis" + REASONING + "assistantfinal" + ANSWER);
        assertThat(whole.completionTokens()).isEqualTo(34);
        assertThat(streamed.text()).isEqualTo(whole.text());
        assertThat(streamed.frames()).hasSize(34 - 7).doesNotContain("<|channel|>", "<|return|>");
        assertThat(streamed.completionTokens()).isEqualTo(34);
    }

    @Test
    void dropping_keeps_qwens_think_and_tool_call_tags_which_are_not_special() {
        sim.behave(Behavior.defaults().withDropSpecialTokens(true).withStopTokens(Behavior.StopTokens.ALWAYS));

        assertThat(complete(prompt("qwen", "c01_single_user")).text())
                .isEqualTo("<think>\n" + REASONING + "\n</think>\n\n" + ANSWER);
        assertThat(complete(prompt("gemma-4", "c14_reasoning_on")).text()).isEqualTo("thought\n" + REASONING + ANSWER);
    }

    @Test
    void stop_tokens_follow_the_family_default_or_always_or_never() {
        String qwen = prompt("qwen", "c13_reasoning_off");
        String gemmaCall = prompt("gemma-4", "c06_tools_declared_no_calls") + "<|tool_call>call:get_time{";
        String harmonyCall = prompt("oss", "c06_tools_declared_no_calls") + HarmonyAnswersTest.CALL_TO;

        assertThat(complete(qwen).text()).isEqualTo(ANSWER);
        assertThat(complete(harmonyCall).text()).endsWith("}<|call|>");

        sim.behave(Behavior.defaults().withStopTokens(Behavior.StopTokens.ALWAYS));
        assertThat(complete(qwen).text()).isEqualTo(ANSWER + "<|im_end|>");
        assertThat(complete(prompt("gemma-4", "c01_single_user")).text()).isEqualTo(ANSWER + "<turn|>");
        assertThat(complete(gemmaCall).text()).endsWith("}<tool_call|><|tool_response>");

        sim.behave(Behavior.defaults().withStopTokens(Behavior.StopTokens.NEVER));
        assertThat(complete(harmonyCall).text()).endsWith("\"celsius\"}");
        assertThat(complete(prompt("oss", "c01_single_user")).text()).endsWith("<|message|>" + ANSWER);
    }

    @Test
    void family_switches_leave_plain_prompts_unchanged() {
        sim.behave(Behavior.defaults().withDropSpecialTokens(true).withStopTokens(Behavior.StopTokens.ALWAYS)
                .withReasoningTokens(3).withJsonNonCompliantAttempts(5).withCompletionTokens(3));

        Completion c = complete("Respond with a single JSON object and nothing else. <|im_start|>");

        assertThat(c.text()).isEqualTo("lorem ipsum dolor ");
        assertThat(c.completionTokens()).isEqualTo(3);
        assertThat(c.finish()).isEqualTo("stop");
    }

    @Test
    void reasoning_tokens_size_the_reasoning() {
        sim.behave(Behavior.defaults().withReasoningTokens(2).withCompletionTokens(1));

        assertThat(complete(prompt("qwen", "c01_single_user")).text()).isEqualTo("<think>\nsed do\n</think>\n\nlorem");
    }
}
