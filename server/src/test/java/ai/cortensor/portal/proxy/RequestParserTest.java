package ai.cortensor.portal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.web.ApiError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestParserTest {
    private static CompletionRequest chat(String json) {
        return RequestParser.parse(Route.CHAT, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void full_chat_request_is_read_with_all_sampling_fields() {
        CompletionRequest r = chat("""
                {"model":"qwen","stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":32,
                 "temperature":0.5,"top_p":0.9,"top_k":40,"presence_penalty":0.1,"frequency_penalty":-0.2,
                 "stop":"END","user":"u-1","seed":3,
                 "messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
                             {"role":"assistant","content":null,"tool_calls":[]}]}""");
        assertThat(r.model()).isEqualTo("qwen");
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
        assertThat(r.maxTokens()).isEqualTo(32);
        assertThat(r.topK()).isEqualTo(40);
        assertThat(r.stop()).containsExactly("END");
        assertThat(r.messages()).extracting(m -> m.role() + ":" + m.content())
                .containsExactly("system:s", "user:ab", "assistant:");
    }

    @Test
    void text_prompt_accepts_a_string_or_one_element_array() {
        assertThat(RequestParser.parse(Route.TEXT, "{\"model\":\"m\",\"prompt\":[\"p\"]}".getBytes()).prompt()).isEqualTo("p");
        assertThatThrownBy(() -> RequestParser.parse(Route.TEXT, "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}".getBytes()))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("prompt"));
    }

    @Test
    void image_parts_are_rejected_with_the_part_named() {
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}"))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("messages[0].content[0]");
                });
    }

    @Test
    void deep_type_errors_name_the_nested_param() {
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"stream_options\":{\"include_usage\":1},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("stream_options.include_usage"));
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"stop\":[1],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("stop"));
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo("invalid_type"));
    }
}
