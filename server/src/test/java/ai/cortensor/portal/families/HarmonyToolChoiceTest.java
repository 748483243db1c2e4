package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.HarmonyFamilyTest.OSS;
import static ai.cortensor.portal.families.HarmonyFamilyTest.VECTOR_DATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** tool_choice: auto leaves the model free, named/required prefill the call's header, none hides the tools. */
class HarmonyToolChoiceTest {
    private static Conversation weather() {
        return Vectors.byId("c06_tools_declared_no_calls").conversation("oss");
    }

    @Test
    void autoLeavesTheModelFreeToReasonAndCall() {
        Rendered r = OSS.render(weather(), VECTOR_DATE);
        assertThat(r.prefill()).isEmpty();
        assertThat(r.thinking()).isTrue();
        assertThat(r.toolsOffered()).isTrue();
        assertThat(r.prompt()).endsWith("<|end|><|start|>assistant");
    }

    @Test
    void aNamedFunctionIsForcedByPrefillingItsWholeHeader() {
        Rendered r = OSS.render(weather().withToolChoice(new ToolChoice.Named("get_weather")), VECTOR_DATE);
        String prefill = "<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>";
        assertThat(r.prefill()).isEqualTo(prefill);
        assertThat(r.prompt()).isEqualTo(OSS.render(weather(), VECTOR_DATE).prompt() + prefill);
        assertThat(r.thinking()).isFalse();
        assertThat(r.toolsOffered()).isTrue();

        ParsedOutput out = ParsedOutput.parse(OSS, r, "{\"location\": \"Tokyo\"}<|call|>", false);
        assertThat(out.toolCalls()).containsExactly(new ParsedOutput.Call("get_weather", "{\"location\": \"Tokyo\"}"));
        assertThat(out.content()).isNull();
        assertThat(out.reasoning()).isNull();
        assertThat(out.finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void requiredPrefillsACommentaryHeaderUpToTheFunctionsNamespace() {
        Rendered r = OSS.render(weather().withToolChoice(ToolChoice.REQUIRED), VECTOR_DATE);
        assertThat(r.prefill()).isEqualTo("<|channel|>commentary to=functions.");
        assertThat(r.prompt()).endsWith("<|start|>assistant<|channel|>commentary to=functions.");
        assertThat(r.thinking()).isFalse();

        ParsedOutput out = ParsedOutput.parse(OSS, r,
                "get_time <|constrain|>json<|message|>{\"timezone\": \"Asia/Tokyo\"}<|call|>", false);
        assertThat(out.toolCalls()).containsExactly(new ParsedOutput.Call("get_time", "{\"timezone\": \"Asia/Tokyo\"}"));
        for (List<String> pieces : HarmonyOutputsTest.splits("get_time json<|message|>{}<|call|>")) {
            assertThat(HarmonyOutputsTest.streamed(r, pieces, false).toolCalls())
                    .containsExactly(new ParsedOutput.Call("get_time", "{}"));
        }
    }

    @Test
    void aForcedChoiceTheRequestCannotSatisfyIsRefused() {
        assertThatThrownBy(() -> OSS.render(weather().withToolChoice(new ToolChoice.Named("nope")), VECTOR_DATE))
                .isInstanceOfSatisfying(RenderRefused.class, e -> assertThat(e.param()).isEqualTo("tool_choice"));
        Conversation noTools = Conversation.of(List.of(Message.user("hi"))).withToolChoice(ToolChoice.REQUIRED);
        assertThatThrownBy(() -> OSS.render(noTools, VECTOR_DATE))
                .isInstanceOfSatisfying(RenderRefused.class, e -> assertThat(e.param()).isEqualTo("tool_choice"));
    }

    @Test
    void noneHidesTheToolsButKeepsTheToolHistory() {
        Conversation c07 = Vectors.byId("c07_tool_call_single_roundtrip").conversation("oss");
        Rendered r = OSS.render(c07.withToolChoice(ToolChoice.NONE), VECTOR_DATE);
        assertThat(r.toolsOffered()).isFalse();
        assertThat(r.thinking()).isTrue();
        assertThat(r.prompt()).doesNotContain("namespace functions").doesNotContain("Calls to these tools")
                .contains("<|start|>developer<|message|># Instructions\n\nYou are a helpful assistant.\n\n<|end|>")
                .contains("<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>")
                .endsWith("<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>"
                        + "\"{\\\"temperature\\\": 18, \\\"condition\\\": \\\"sunny\\\"}\"<|end|><|start|>assistant");
    }

    @Test
    void withoutOfferedToolsAFunctionCallTheModelWritesAnywayIsContent() {
        Rendered r = OSS.render(weather().withToolChoice(ToolChoice.NONE), VECTOR_DATE);
        ParsedOutput out = ParsedOutput.parse(OSS, r, "<|channel|>analysis<|message|>hmm<|end|><|start|>assistant"
                + "<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\": \"X\"}"
                + "<|call|>", false);
        assertThat(out.toolCalls()).isEmpty();
        assertThat(out.content()).isEqualTo("{\"location\": \"X\"}");
        assertThat(out.reasoning()).isEqualTo("hmm");
        assertThat(out.finishReason()).isEqualTo("stop");
    }
}
