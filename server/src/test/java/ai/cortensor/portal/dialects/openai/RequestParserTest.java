package ai.cortensor.portal.dialects.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.web.ApiError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestParserTest {
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";

    @Test
    void stream_options_include_usage_is_kept_by_the_exchange() {
        assertThat(RequestParser.parse(Route.CHAT, ("{\"model\":\"m\",\"stream\":true,\"stream_options\":"
                + "{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").getBytes())
                .includeUsage()).isTrue();
    }

    private static InferenceRequest chat(String json) {
        return RequestParser.parse(Route.CHAT, json.getBytes(StandardCharsets.UTF_8)).request();
    }

    private static ApiError refusal(String json) {
        try {
            chat(json);
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void full_chat_request_is_read_with_all_sampling_fields() {
        InferenceRequest r = chat("""
                {"model":"qwen","stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":32,
                 "temperature":0.5,"top_p":0.9,"top_k":40,"presence_penalty":0.1,"frequency_penalty":-0.2,
                 "stop":"END","user":"u-1","n":1,"logprobs":false,"store":false,"service_tier":"auto",
                 "messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
                             {"role":"assistant","content":null,"tool_calls":[]}]}""");
        assertThat(r.model()).isEqualTo("qwen");
        assertThat(r.stream()).isTrue();
        assertThat(r.maxTokens()).isEqualTo(32);
        assertThat(r.maxTokensParam()).isEqualTo("max_completion_tokens");
        assertThat(r.sampling().topK()).isEqualTo(40);
        assertThat(r.sampling().stop()).containsExactly("END");
        assertThat(r.conversation().messages()).extracting(m -> m.role().wire() + ":" + m.content())
                .containsExactly("system:s", "user:ab", "assistant:");
    }

    @Test
    void tool_round_trip_messages_keep_calls_arguments_and_results() {
        Conversation c = chat("{\"model\":\"m\"," + TOOLS + ",\"tool_choice\":\"required\",\"parallel_tool_calls\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"think\",\"tool_calls\":[{\"id\":\"c1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Oslo\\\", \\\"a\\\": 1}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"cold\"}]}").conversation();
        assertThat(c.tools()).singleElement().satisfies(t -> assertThat(t.name()).isEqualTo("get_weather"));
        assertThat(c.toolChoice()).isEqualTo(ToolChoice.REQUIRED);
        assertThat(c.parallelToolCalls()).isFalse();
        Message call = c.messages().get(1);
        assertThat(call.reasoning()).isEqualTo("think");
        assertThat(call.toolCalls().get(0).parsedArguments().fieldNames()).toIterable().containsExactly("city", "a");
        assertThat(c.messages().get(2).toolCallId()).isEqualTo("c1");
    }

    @Test
    void json_schema_response_format_and_reasoning_switches_are_read() {
        Conversation c = chat("{\"model\":\"m\"," + HI + ",\"reasoning_effort\":\"low\",\"chat_template_kwargs\":"
                + "{\"enable_thinking\":false},\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\","
                + "\"strict\":true,\"schema\":{\"type\":\"object\",\"properties\":{\"t\":{\"type\":\"number\"}}}}}}").conversation();
        assertThat(c.responseFormat()).isInstanceOfSatisfying(ResponseFormat.JsonSchema.class, s -> {
            assertThat(s.name()).isEqualTo("w");
            assertThat(s.strict()).isTrue();
        });
        assertThat(c.reasoning().effort()).isEqualTo("low");
        assertThat(c.reasoning().thinking()).isFalse();
    }

    @ParameterizedTest(name = "{0} is refused by name")
    @CsvSource(delimiter = '|', value = {
        "logprobs|true",
        "top_logprobs|3",
        "logit_bias|{\"50256\":-100}",
        "seed|42",
        "audio|{\"voice\":\"alloy\",\"format\":\"wav\"}",
        "modalities|[\"text\",\"audio\"]",
        "prediction|{\"type\":\"content\",\"content\":\"x\"}",
        "web_search_options|{}",
        "verbosity|\"low\"",
        "store|true",
        "metadata|{\"k\":\"v\"}",
        "service_tier|\"flex\"",
        "prompt_cache_key|\"k\"",
        "functions|[{\"name\":\"f\"}]",
        "function_call|\"auto\"",
        "n|2",
    })
    void openai_fields_the_gateway_cannot_honour_are_refused_by_name(String field, String value) {
        ApiError e = refusal("{\"model\":\"m\"," + HI + ",\"" + field + "\":" + value + "}");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("unsupported_parameter");
        assertThat(e.param()).isEqualTo(field);
    }

    @Test
    void unknown_fields_are_refused_as_openai_does() {
        ApiError e = refusal("{\"model\":\"m\"," + HI + ",\"temprature\":1}");
        assertThat(e.code()).isEqualTo("unknown_parameter");
        assertThat(e.param()).isEqualTo("temprature");
        assertThat(e.getMessage()).contains("temprature");
        assertThat(refusal("{\"model\":\"m\"," + HI + ",\"echo\":false}").param()).isEqualTo("echo");
        assertThat(refusal("{\"model\":\"m\"," + HI + ",\"stream_options\":{\"x\":1}}").param()).isEqualTo("stream_options.x");
        assertThat(refusal("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"nmae\":\"x\"}]}").param())
                .isEqualTo("messages[0].nmae");
    }

    @Test
    void tool_definitions_and_choices_are_checked() {
        assertThat(refusal("{\"model\":\"m\"," + HI + ",\"tool_choice\":\"auto\"}").param()).isEqualTo("tool_choice");
        assertThat(refusal("{\"model\":\"m\"," + HI + "," + TOOLS + ",\"tool_choice\":{\"type\":\"function\","
                + "\"function\":{\"name\":\"nope\"}}}").param()).isEqualTo("tool_choice.function.name");
        assertThat(refusal("{\"model\":\"m\"," + HI + ",\"tools\":[{\"type\":\"web_search\"}]}").param())
                .isEqualTo("tools[0].type");
        assertThat(refusal("{\"model\":\"m\"," + HI + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}]}")
                .param()).isEqualTo("tools[0].function.name");
        assertThat(refusal("{\"model\":\"m\"," + HI + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"parameters\":{\"$ref\":\"https://evil.example/schema.json\"}}}]}").code()).isEqualTo("invalid_schema");
    }

    @Test
    void messages_fields_without_a_rendering_are_refused() {
        assertThat(refusal("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"name\":\"ann\",\"content\":\"a\"}]}").param())
                .isEqualTo("messages[0].name");
        assertThat(refusal("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"a\"}]}").param())
                .isEqualTo("messages[0].tool_call_id");
        assertThat(refusal("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"tool_calls\":[]}]}").param())
                .isEqualTo("messages[0].tool_calls");
    }

    @Test
    void text_prompt_accepts_a_string_or_one_element_array() {
        assertThat(RequestParser.parse(Route.TEXT, "{\"model\":\"m\",\"prompt\":[\"p\"]}".getBytes()).request().prompt()).isEqualTo("p");
        assertThatThrownBy(() -> RequestParser.parse(Route.TEXT, "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}".getBytes()))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("prompt"));
        assertThatThrownBy(() -> RequestParser.parse(Route.TEXT, "{\"model\":\"m\",\"prompt\":\"p\",\"echo\":true}".getBytes()))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo("unsupported_parameter"));
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
