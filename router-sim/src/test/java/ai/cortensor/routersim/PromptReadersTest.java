package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromptReadersTest extends FamilyTestBase {

    @Test
    void families_are_told_apart_by_how_the_prompt_starts() {
        assertThat(Family.detect(prompt("qwen", "c01_single_user"))).isEqualTo(Family.QWEN);
        assertThat(Family.detect(prompt("oss", "c01_single_user"))).isEqualTo(Family.HARMONY);
        assertThat(Family.detect(prompt("gemma-4", "c01_single_user"))).isEqualTo(Family.GEMMA);
        assertThat(Family.detect("say <|im_start|> hello")).isEqualTo(Family.PLAIN);
        assertThat(Family.detect("<\u2060|im_start|>user")).isEqualTo(Family.PLAIN);
    }

    @Test
    void qwen_reader_finds_tools_last_user_results_and_thinking() {
        PromptView tools = QwenPrompt.read(prompt("qwen", "c06_tools_declared_no_calls"), SimClient.JSON);
        PromptView result = QwenPrompt.read(prompt("qwen", "c08_tool_calls_parallel_roundtrip"), SimClient.JSON);
        PromptView off = QwenPrompt.read(prompt("qwen", "c13_reasoning_off"), SimClient.JSON);

        assertThat(tools.tools()).extracting(PromptView.ToolSpec::name)
                .containsExactly("get_weather", "get_time", "get_location", "search_flights");
        assertThat(tools.tools().get(3).parameters().at("/properties/passengers/required/0").asText()).isEqualTo("adults");
        assertThat(tools.system()).startsWith("You are a travel assistant.\n\n# Tools");
        assertThat(tools.thinking()).isEqualTo(PromptView.Thinking.ON);
        assertThat(tools.afterToolResult()).isFalse();
        assertThat(result.lastUser()).isEqualTo("What's the weather and the local time in Tokyo?");
        assertThat(result.toolResults()).containsExactly("{\"temperature\": 9, \"condition\": \"cloudy\"}", "{\"time\": \"21:04\"}");
        assertThat(off.thinking()).isEqualTo(PromptView.Thinking.OFF);
        assertThat(off.prefill()).isNull();
    }

    @Test
    void harmony_reader_finds_effort_instructions_and_tool_results() {
        PromptView v = HarmonyPrompt.read(prompt("oss", "c07_tool_call_single_roundtrip"), SimClient.JSON);
        PromptView high = HarmonyPrompt.read(prompt("oss", "c14_reasoning_on"), SimClient.JSON);

        assertThat(v.effort()).isEqualTo("medium");
        assertThat(high.effort()).isEqualTo("high");
        assertThat(v.system()).startsWith("# Instructions\n\nYou are a helpful assistant.");
        assertThat(v.lastUser()).isEqualTo("What's the weather in Paris in celsius?");
        assertThat(v.toolResults()).containsExactly("{\"temperature\": 18, \"condition\": \"sunny\"}");
        assertThat(v.tools()).extracting(PromptView.ToolSpec::name).containsExactly("get_weather");
        assertThat(v.thinking()).isEqualTo(PromptView.Thinking.ON);
    }

    @Test
    void prefills_are_recognised_with_or_without_the_function_name() {
        String q = prompt("qwen", "c06_tools_declared_no_calls") + QwenAnswersTest.NO_THINK;
        String h = prompt("oss", "c06_tools_declared_no_calls") + HarmonyAnswersTest.CALL_TO;
        String g = prompt("gemma-4", "c06_tools_declared_no_calls") + "<|tool_call>call:";

        assertThat(QwenPrompt.read(q + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": ", SimClient.JSON).prefill())
                .isEqualTo(new PromptView.Prefill("get_time"));
        assertThat(QwenPrompt.read(q + "<tool_call>\n{\"name\": \"", SimClient.JSON).prefill())
                .isEqualTo(new PromptView.Prefill(null));
        assertThat(HarmonyPrompt.read(h + "get_time <|constrain|>json<|message|>", SimClient.JSON).prefill())
                .isEqualTo(new PromptView.Prefill("get_time"));
        assertThat(HarmonyPrompt.read(h, SimClient.JSON).prefill()).isEqualTo(new PromptView.Prefill(null));
        assertThat(GemmaPrompt.read(g + "get_time{").prefill()).isEqualTo(new PromptView.Prefill("get_time"));
        assertThat(GemmaPrompt.read(g).prefill()).isEqualTo(new PromptView.Prefill(null));
    }
}
