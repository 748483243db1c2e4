package ai.cortensor.portal.pools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final List<ChatTemplate.Message> CHAT = List.of(
            new ChatTemplate.Message("system", "Be brief."),
            new ChatTemplate.Message("user", "Hi"),
            new ChatTemplate.Message("assistant", "Hello!"),
            new ChatTemplate.Message("user", "Bye"));

    @Test
    void chatml_wraps_each_turn_and_opens_the_assistant_turn() {
        assertThat(ChatTemplate.CHATML.render(CHAT)).isEqualTo("""
                <|im_start|>system
                Be brief.<|im_end|>
                <|im_start|>user
                Hi<|im_end|>
                <|im_start|>assistant
                Hello!<|im_end|>
                <|im_start|>user
                Bye<|im_end|>
                <|im_start|>assistant
                """);
    }

    @Test
    void gemma_folds_the_system_prompt_into_the_first_user_turn_and_calls_the_assistant_model() {
        assertThat(ChatTemplate.GEMMA.render(CHAT)).isEqualTo("""
                <start_of_turn>user
                Be brief.

                Hi<end_of_turn>
                <start_of_turn>model
                Hello!<end_of_turn>
                <start_of_turn>user
                Bye<end_of_turn>
                <start_of_turn>model
                """);
    }

    @Test
    void gpt_oss_uses_harmony_with_a_developer_message_and_final_channel() {
        assertThat(ChatTemplate.GPT_OSS.render(CHAT)).isEqualTo(
                "<|start|>developer<|message|>Be brief.<|end|>"
                        + "<|start|>user<|message|>Hi<|end|>"
                        + "<|start|>assistant<|channel|>final<|message|>Hello!<|end|>"
                        + "<|start|>user<|message|>Bye<|end|>"
                        + "<|start|>assistant");
    }

    @Test
    void generic_is_plain_role_lines() {
        assertThat(ChatTemplate.GENERIC.render(CHAT)).isEqualTo(
                "System: Be brief.\nUser: Hi\nAssistant: Hello!\nUser: Bye\nAssistant:");
    }

    @Test
    void unknown_template_id_falls_back_to_generic() {
        assertThat(ChatTemplate.byId("llama-3")).isEqualTo(ChatTemplate.GENERIC);
        assertThat(ChatTemplate.byId("chatml")).isEqualTo(ChatTemplate.CHATML);
    }
}
