package ai.cortensor.portal.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.families.Families;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTurnTest {
    private static final LocalDate DAY = LocalDate.of(2026, 12, 2);

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Conversation withFormat(List<Message> messages, ResponseFormat format) {
        return new Conversation(messages, List.of(), ToolChoice.AUTO, true, format, new Reasoning(null, false));
    }

    private static final ResponseFormat WEATHER = new ResponseFormat.JsonSchema("weather", null, json("""
            {"type":"object","properties":{"city":{"type":"string"},"temp":{"type":"number"}},
             "required":["city","temp"],"additionalProperties":false}"""), true);

    @Test
    void the_schema_instruction_joins_the_first_system_message_or_becomes_one() {
        Conversation merged = ChatTurn.instruct(withFormat(List.of(Message.system("Be terse."), Message.user("x")), WEATHER));
        assertThat(merged.messages()).hasSize(2);
        assertThat(merged.messages().get(0).content()).startsWith("Be terse.\n\n" + ChatTurn.JSON_SCHEMA_INSTRUCTION + "\n{");
        Conversation added = ChatTurn.instruct(withFormat(List.of(Message.user("x")), ResponseFormat.JSON_OBJECT));
        assertThat(added.messages().get(0)).isEqualTo(Message.system(ChatTurn.JSON_OBJECT_INSTRUCTION));
    }

    @Test
    void answers_are_checked_against_the_schema_and_a_retry_carries_the_reason() {
        ChatTurn turn = ChatTurn.prepare(Families.QWEN, "qwen", withFormat(List.of(Message.user("Oslo?")), WEATHER), DAY,
                false);
        assertThat(turn.validates()).isTrue();
        ParsedOutput good = turn.parse("```json\n{\"city\": \"Oslo\", \"temp\": -3.5}\n```", false);
        assertThat(good.content()).isEqualTo("{\"city\": \"Oslo\", \"temp\": -3.5}");
        assertThat(turn.problem(good)).isNull();

        ParsedOutput missing = turn.parse("{\"city\": \"Oslo\"}", false);
        assertThat(turn.problem(missing)).contains("does not match the JSON schema").contains("temp");
        assertThat(turn.problem(turn.parse("The weather is nice.", false))).contains("not valid JSON");
        assertThat(turn.problem(turn.parse("{\"city\": \"Oslo\", \"temp\": 1} and more", false))).contains("not valid JSON");

        ChatTurn again = turn.retry(missing, turn.problem(missing));
        assertThat(again.prompt()).contains("That answer cannot be used").contains("{\"city\": \"Oslo\"}");
        assertThat(again.validates()).isTrue();
    }

    @Test
    void a_model_that_does_not_reason_refuses_reasoning_requests() {
        Conversation c = new Conversation(List.of(Message.user("x")), List.of(), ToolChoice.AUTO, true,
                ResponseFormat.TEXT, new Reasoning("high", null));
        assertThatThrownBy(() -> ChatTurn.prepare(Families.GENERIC, "llama", c, DAY, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("reasoning_effort");
                });
    }

    @Test
    void free_text_with_auto_tools_is_not_validated() {
        ChatTurn turn = ChatTurn.prepare(Families.QWEN, "qwen", Conversation.of(List.of(Message.user("hi"))), DAY,
                false);
        assertThat(turn.validates()).isFalse();
        assertThat(turn.problem(turn.parse("anything", false))).isNull();
    }
}
