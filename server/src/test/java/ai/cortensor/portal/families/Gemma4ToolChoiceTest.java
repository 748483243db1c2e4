package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** tool_choice: forced calls are prefilled, none hides the tools and reads call markup as text. */
class Gemma4ToolChoiceTest {
    static final Family GEMMA = Families.GEMMA_4;

    static Conversation conversation(String caseId, ToolChoice choice) {
        return Vectors.byId(caseId).conversation("gemma-4").withToolChoice(choice);
    }

    static Rendered render(String caseId, ToolChoice choice) {
        return GEMMA.render(conversation(caseId, choice), Gemma4FamilyTest.TODAY);
    }

    static Conversation thinkingOn(Conversation c) {
        return new Conversation(c.messages(), c.tools(), c.toolChoice(), true, c.responseFormat(),
                new Reasoning(null, true));
    }

    @Test
    void aNamedFunctionIsPrefilledAfterTheGenerationPrompt() {
        Rendered r = render("c06_tools_declared_no_calls", new ToolChoice.Named("search_flights"));
        assertThat(r.prefill()).isEqualTo("<|tool_call>call:search_flights{");
        assertThat(r.prompt()).isEqualTo(Gemma4FamilyTest.official("c06_tools_declared_no_calls") + r.prefill());
        assertThat(r.toolsOffered()).isTrue();
        assertThat(r.thinking()).isFalse();
        ParsedOutput out = ParsedOutput.parse(GEMMA, r,
                "origin:<|\"|>SFO<|\"|>,destination:<|\"|>NRT<|\"|>,date:<|\"|>2026-12-20<|\"|>,"
                        + "passengers:{adults:2},cabin:<|\"|>business<|\"|>}<tool_call|>", false);
        assertThat(out.toolCalls()).hasSize(1);
        assertThat(out.toolCalls().get(0).name()).isEqualTo("search_flights");
        assertThat(Vectors.parse(out.toolCalls().get(0).arguments())).isEqualTo(Vectors.parse(
                "{\"origin\":\"SFO\",\"destination\":\"NRT\",\"date\":\"2026-12-20\",\"passengers\":{\"adults\":2},"
                        + "\"cabin\":\"business\"}"));
        assertThat(out.content()).isNull();
        assertThat(out.finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void requiredPrefillsTheCallOpeningAndTheModelNamesTheFunction() {
        Rendered r = render("c06_tools_declared_no_calls", ToolChoice.REQUIRED);
        assertThat(r.prefill()).isEqualTo("<|tool_call>call:");
        ParsedOutput out = ParsedOutput.parse(GEMMA, r, "get_time{timezone:<|\"|>Asia/Tokyo<|\"|>}<tool_call|>", false);
        assertThat(out.toolCalls())
                .containsExactly(new ParsedOutput.Call("get_time", "{\"timezone\": \"Asia/Tokyo\"}"));
    }

    @Test
    void withThinkingOnTheForcedCallFollowsAnEmptyClosedThought() {
        Conversation c = thinkingOn(conversation("c06_tools_declared_no_calls", new ToolChoice.Named("get_time")));
        Rendered r = GEMMA.render(c, Gemma4FamilyTest.TODAY);
        assertThat(r.prefill()).isEqualTo("<|channel>thought\n<channel|><|tool_call>call:get_time{");
        assertThat(r.prompt()).contains("<|turn>system\n<|think|>\n").endsWith("<|turn>model\n" + r.prefill());
        assertThat(r.thinking()).isFalse(); // no longer free to reason
        ParsedOutput out = ParsedOutput.parse(GEMMA, r, "timezone:<|\"|>UTC<|\"|>}<tool_call|>", false);
        assertThat(out.reasoning()).isNull();
        assertThat(out.toolCalls()).containsExactly(new ParsedOutput.Call("get_time", "{\"timezone\": \"UTC\"}"));
    }

    @Test
    void afterToolResultsWithThinkingOnTheOpenThoughtIsClosedBeforeTheForcedCall() {
        Rendered r = render("c16_tools_and_reasoning_on", new ToolChoice.Named("get_weather"));
        assertThat(r.prompt()).isEqualTo(Gemma4FamilyTest.official("c16_tools_and_reasoning_on") + r.prefill());
        assertThat(r.prefill()).isEqualTo("<channel|><|tool_call>call:get_weather{");
        ParsedOutput out = ParsedOutput.parse(GEMMA, r, "location:<|\"|>Lisbon, Portugal<|\"|>}<tool_call|>", false);
        assertThat(out.reasoning()).isNull();
        assertThat(out.toolCalls()).containsExactly(
                new ParsedOutput.Call("get_weather", "{\"location\": \"Lisbon, Portugal\"}"));
    }

    @Test
    void afterToolResultsWithThinkingOffTheCallIsPrefilledInTheOpenModelTurn() {
        Rendered r = render("c07_tool_call_single_roundtrip", ToolChoice.REQUIRED);
        assertThat(r.prompt()).isEqualTo(Gemma4FamilyTest.official("c07_tool_call_single_roundtrip")
                + "<|tool_call>call:");
    }

    @Test
    void aForcedFunctionThatIsNotOfferedIsRefused() {
        assertThatThrownBy(() -> render("c06_tools_declared_no_calls", new ToolChoice.Named("send_message")))
                .isInstanceOfSatisfying(RenderRefused.class, e -> assertThat(e.param()).isEqualTo("tool_choice"));
        Conversation noTools = Conversation.of(List.of(Message.user("hi"))).withToolChoice(ToolChoice.REQUIRED);
        assertThatThrownBy(() -> GEMMA.render(noTools, Gemma4FamilyTest.TODAY))
                .isInstanceOfSatisfying(RenderRefused.class, e -> assertThat(e.param()).isEqualTo("tool_choice"));
    }

    @Test
    void toolChoiceNoneDeclaresNoToolsAndReadsCallMarkupAsContent() {
        Rendered r = render("c06_tools_declared_no_calls", ToolChoice.NONE);
        assertThat(r.prompt()).isEqualTo("<bos><|turn>system\nYou are a travel assistant.<turn|>\n<|turn>user\n"
                + "Find me a flight from SFO to NRT on 2026-12-20 for 2 adults, business class.<turn|>\n"
                + "<|turn>model\n<|channel>thought\n<channel|>");
        assertThat(r.toolsOffered()).isFalse();
        String raw = "<|tool_call>call:get_time{timezone:<|\"|>UTC<|\"|>}<tool_call|>";
        ParsedOutput out = ParsedOutput.parse(GEMMA, r, raw, false);
        assertThat(out.toolCalls()).isEmpty();
        assertThat(out.content()).isEqualTo(raw);
        assertThat(out.finishReason()).isEqualTo("stop");
    }

    @Test
    void toolChoiceNoneStillRendersEarlierCallsAndResults() {
        Rendered r = render("c07_tool_call_single_roundtrip", ToolChoice.NONE);
        assertThat(r.prompt()).doesNotContain("<|tool>").contains(
                "<|tool_call>call:get_weather{location:<|\"|>Paris, France<|\"|>,unit:<|\"|>celsius<|\"|>}<tool_call|>"
                        + "<|tool_response>response:get_weather{");
    }
}
