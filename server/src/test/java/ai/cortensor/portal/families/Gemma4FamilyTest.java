package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rendering: the official Gemma 4 prompts byte for byte, except where the family decides otherwise on purpose. */
class Gemma4FamilyTest {
    static final Family GEMMA = Families.GEMMA_4;
    static final LocalDate TODAY = LocalDate.of(2026, 11, 30);

    static Rendered render(String caseId) {
        return GEMMA.render(Vectors.byId(caseId).conversation("gemma-4"), TODAY);
    }

    static String official(String caseId) {
        return Vectors.rendered("gemma-4", caseId).prompt();
    }

    static Stream<String> caseIds() {
        return Vectors.cases().stream().map(Vectors.Case::id);
    }

    /** The prompt this family must produce for a case: the official one, or the documented decision. */
    static String expectedPrompt(String id) {
        return switch (id) {
            case "c10_tool_call_with_content_and_reasoning_pending" -> contentBeforeCalls(official(id));
            case "c11_escaping_user_content" -> official(id).replace(userContent(id), GEMMA.controlTokens()
                    .neutralise(userContent(id)));
            case "c20_unnormalized_string_arguments", "c21_unnormalized_string_arguments_content_empty" ->
                    official("c07_tool_call_single_roundtrip").replace("You are a helpful assistant.", "");
            default -> official(id);
        };
    }

    /** c10 as the official prompt with the preamble moved before the call and the closed turn left open. */
    static String contentBeforeCalls(String official) {
        String preamble = "Let me check that for you.";
        assertThat(official).endsWith("<tool_response|>" + preamble + "<turn|>\n");
        String open = official.substring(0, official.length() - (preamble + "<turn|>\n").length());
        return open.replace("<channel|><|tool_call>", "<channel|>" + preamble + "<|tool_call>");
    }

    static String userContent(String id) {
        return Vectors.byId(id).wire().get("messages").get(1).get("content").asText();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseIds")
    void rendersEveryCaseAsTheOfficialTemplateOrAsDecided(String id) {
        if (id.equals("c18_error_tool_without_call")) {
            assertThatThrownBy(() -> render(id)).isInstanceOfSatisfying(RenderRefused.class,
                    e -> assertThat(e.param()).isEqualTo("messages[1]"));
            return;
        }
        Rendered r = render(id);
        assertThat(r.prompt()).isEqualTo(expectedPrompt(id));
        assertThat(r.prefill()).isEmpty();
        Vectors.Case c = Vectors.byId(id);
        assertThat(r.toolsOffered()).isEqualTo(!c.tools().isEmpty());
        assertThat(r.thinking()).isEqualTo(c.wire().path("template_kwargs").path("gemma-4").path("enable_thinking")
                .asBoolean(false));
    }

    @Test
    void everyCaseWithAnOfficialPromptOtherThanTheDecidedOnesIsByteExact() {
        List<String> differing = new ArrayList<>();
        for (String id : caseIds().toList()) {
            String official = official(id);
            if (official == null) {
                continue; // c20, c21: the template raises
            }
            try {
                if (!render(id).prompt().equals(official)) {
                    differing.add(id);
                }
            } catch (RenderRefused e) {
                differing.add(id);
            }
        }
        assertThat(differing).containsExactlyInAnyOrder("c10_tool_call_with_content_and_reasoning_pending",
                "c11_escaping_user_content", "c18_error_tool_without_call");
    }

    @Test
    void assistantContentNextToToolCallsIsWrittenBeforeTheCallsAndTheModelTurnStaysOpen() {
        String prompt = render("c10_tool_call_with_content_and_reasoning_pending").prompt();
        assertThat(prompt).contains("<|turn>model\n<|channel>thought\nUser wants Berlin weather. Call get_weather.\n"
                + "<channel|>Let me check that for you.<|tool_call>call:get_weather{");
        assertThat(prompt).endsWith(
                "{value:<|\"|>{\"temperature\": 4, \"condition\": \"snow\"}<|\"|>}<tool_response|>");
        // same continuation as a call without content (c07): the model answers inside the open model turn
        assertThat(prompt).doesNotEndWith("<turn|>\n");
    }

    @Test
    void aToolMessageWithoutACallIsRefusedNotDropped() {
        assertThatThrownBy(() -> render("c18_error_tool_without_call")).isInstanceOfSatisfying(RenderRefused.class,
                e -> assertThat(e.param()).isEqualTo("messages[1]"));
    }

    @Test
    void aToolMessageAfterAUserTurnIsRefusedEvenWhenAnEarlierCallExists() {
        List<Message> m = new ArrayList<>(Vectors.byId("c07_tool_call_single_roundtrip").conversation("gemma-4")
                .messages());
        m.add(Message.user("and now?"));
        m.add(Message.tool("call_1", "late"));
        Conversation c = Vectors.byId("c07_tool_call_single_roundtrip").conversation("gemma-4").withMessages(m);
        assertThatThrownBy(() -> GEMMA.render(c, TODAY)).isInstanceOfSatisfying(RenderRefused.class,
                e -> assertThat(e.param()).isEqualTo("messages[5]"));
    }

    @Test
    void unnormalisedCasesRenderAsTheNormalisedOnesBecauseTheGatewayAlwaysParsesArguments() {
        Conversation c07 = Vectors.byId("c07_tool_call_single_roundtrip").conversation("gemma-4");
        String withoutSystem = GEMMA.render(c07.withMessages(c07.messages().subList(1, c07.messages().size())), TODAY)
                .prompt();
        assertThat(render("c20_unnormalized_string_arguments").prompt()).isEqualTo(withoutSystem);
        assertThat(render("c21_unnormalized_string_arguments_content_empty").prompt()).isEqualTo(withoutSystem);
    }

    @Test
    void argumentsThatAreNotJsonAreRefusedNamingTheField() {
        assertThatThrownBy(() -> GEMMA.render(withArguments("{\"location\": ", null), TODAY))
                .isInstanceOfSatisfying(RenderRefused.class,
                        e -> assertThat(e.param()).isEqualTo("messages[2].tool_calls[0].function.arguments"));
    }

    @Test
    void argumentsThatAreNotAnObjectAreRefusedNamingTheField() {
        JsonNode array = Vectors.parse("[\"Paris\"]");
        assertThatThrownBy(() -> GEMMA.render(withArguments("[\"Paris\"]", array), TODAY))
                .isInstanceOfSatisfying(RenderRefused.class,
                        e -> assertThat(e.param()).isEqualTo("messages[2].tool_calls[0].function.arguments"));
        JsonNode string = Vectors.parse("\"Paris\"");
        assertThatThrownBy(() -> GEMMA.render(withArguments("\"Paris\"", string), TODAY))
                .isInstanceOf(RenderRefused.class);
    }

    /** c07 with the call's arguments replaced. */
    static Conversation withArguments(String raw, JsonNode parsed) {
        Conversation c07 = Vectors.byId("c07_tool_call_single_roundtrip").conversation("gemma-4");
        List<Message> m = new ArrayList<>(c07.messages());
        Message call = m.get(2);
        m.set(2, new Message(call.role(), call.content(), null,
                List.of(new ToolCall("call_1", "get_weather", raw, parsed)), null));
        return c07.withMessages(m);
    }

    @Test
    void aLaterDeveloperMessageRendersAsASystemTurn() {
        Conversation c = Conversation.of(List.of(Message.user("Hi"), Message.of(Message.Role.DEVELOPER, " Be brief. "),
                Message.user("Why?")));
        assertThat(GEMMA.render(c, TODAY).prompt()).isEqualTo("<bos><|turn>user\nHi<turn|>\n<|turn>system\nBe brief."
                + "<turn|>\n<|turn>user\nWhy?<turn|>\n<|turn>model\n<|channel>thought\n<channel|>");
    }

    @Test
    void reasoningEffortTurnsThinkingOnLikeTheTemplateSwitch() {
        Conversation c = Conversation.of(List.of(Message.user("One word: what color is grass?")));
        Conversation high = new Conversation(c.messages(), List.of(), ToolChoice.AUTO, true, ResponseFormat.TEXT,
                new Reasoning("high", null));
        assertThat(GEMMA.render(high, TODAY).prompt()).isEqualTo(official("c14_reasoning_on"));
        Conversation none = new Conversation(c.messages(), List.of(), ToolChoice.AUTO, true, ResponseFormat.TEXT,
                new Reasoning("none", null));
        assertThat(GEMMA.render(none, TODAY).prompt()).isEqualTo(official("c13_reasoning_off"));
        assertThat(GEMMA.render(c, TODAY).thinking()).isFalse();
    }

    @Test
    void reasoningIsKeptOnlyAfterTheLastUserMessage() {
        assertThat(render("c09_tool_loop_then_new_user_turn").prompt()).doesNotContain("Need current weather");
        assertThat(render("c16_tools_and_reasoning_on").prompt()).contains("<|channel>thought\nI don't know");
    }

    @Test
    void reasonsAndNamesItsId() {
        assertThat(GEMMA.reasons()).isTrue();
        assertThat(GEMMA.id()).isEqualTo("gemma-4");
        assertThat(Families.byId("gemma-4")).containsSame(GEMMA);
    }

    @Test
    void controlTokensCoverEveryTokenTheTemplateWrites() {
        List<String> tokens = GEMMA.controlTokens().tokens();
        assertThat(tokens).contains("<bos>", "<eos>", "<pad>", "<|turn>", "<turn|>", "<|think|>", "<|channel>",
                "<channel|>", "<|tool>", "<tool|>", "<|tool_call>", "<tool_call|>", "<|tool_response>",
                "<tool_response|>", "<|\"|>", "<|image|>", "<|audio|>", "<|video|>");
    }
}
