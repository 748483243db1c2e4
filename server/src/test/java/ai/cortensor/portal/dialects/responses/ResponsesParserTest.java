package ai.cortensor.portal.dialects.responses;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolCall;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.web.ApiError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Request bodies in, the conversation and settings the gateway runs out; every refusal names its field. */
class ResponsesParserTest {
    static final ApiKey CALLER = new ApiKey(1, "pub", new byte[0], "k", 7, null, "active", null, Instant.EPOCH, null,
            false);
    private static final String WEATHER = """
            {"type":"function","name":"get_weather","description":"Weather of a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}""";

    static ResponsesDialect dialect(boolean storage) {
        return dialect(storage, InstantSource.system());
    }

    /** A dialect without a database: nothing may be stored or looked up through it. */
    static ResponsesDialect dialect(boolean storage, InstantSource clock) {
        PortalConfig.Responses config = new PortalConfig.Responses(storage, Duration.ofDays(30), Duration.ofHours(1));
        return new ResponsesDialect(new StoredResponses(null, config, clock), clock);
    }

    private static ResponsesExchange exchange(String json) {
        return (ResponsesExchange) dialect(true).parse(json.getBytes(StandardCharsets.UTF_8), CALLER);
    }

    private static Conversation conversation(String json) {
        return exchange(json).request().conversation();
    }

    private static ApiError refusal(String json) {
        return refusal(json, true);
    }

    private static ApiError refusal(String json, boolean storage) {
        try {
            dialect(storage).parse(json.getBytes(StandardCharsets.UTF_8), CALLER);
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    private static List<String> roles(Conversation c) {
        return c.messages().stream().map(m -> m.role().wire() + ":" + m.content()).toList();
    }

    @Test
    void a_string_input_is_one_user_message_and_instructions_come_first_as_system() {
        ResponsesExchange x = exchange("{\"model\":\"qwen\",\"input\":\"Hello\",\"instructions\":\"Be brief.\"}");

        InferenceRequest r = x.request();
        assertThat(r.model()).isEqualTo("qwen");
        assertThat(r.stream()).isFalse();
        assertThat(r.maxTokens()).isNull();
        assertThat(r.maxTokensParam()).isEqualTo("max_output_tokens");
        assertThat(r.inputParam()).isEqualTo("input");
        assertThat(roles(r.conversation())).containsExactly("system:Be brief.", "user:Hello");
        assertThat(r.conversation().tools()).isEmpty();
        assertThat(r.conversation().toolChoice()).isEqualTo(ToolChoice.AUTO);
        assertThat(r.conversation().responseFormat()).isEqualTo(ResponseFormat.TEXT);
        assertThat(r.conversation().reasoning()).isEqualTo(Reasoning.DEFAULT);
        assertThat(x.responses().store()).as("store defaults to true, as OpenAI's").isTrue();
    }

    @Test
    void message_items_take_string_content_or_text_parts_in_every_role() {
        Conversation c = conversation("""
                {"model":"m","input":[
                  {"role":"developer","content":"dev rules"},
                  {"type":"message","role":"system","content":[{"type":"input_text","text":"sys"}]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]},
                  {"type":"message","role":"assistant","id":"msg_1","status":"completed","content":[
                     {"type":"output_text","text":"earlier ","annotations":[],"logprobs":[]},{"type":"refusal","refusal":"no"}]},
                  {"role":"assistant","content":"plain"},
                  {"role":"user","content":"again"}]}""");

        assertThat(roles(c)).containsExactly("developer:dev rules", "system:sys", "user:ab", "assistant:earlier no",
                "assistant:plain", "user:again");
    }

    @Test
    void a_tool_round_trip_becomes_one_assistant_turn_with_its_reasoning_calls_and_the_results() {
        Conversation c = conversation("""
                {"model":"m","tools":[%s],"input":[
                  {"role":"user","content":"Weather in Oslo and Bergen?"},
                  {"type":"reasoning","id":"rs_1","summary":[],"content":[{"type":"reasoning_text","text":"Two calls."}],"status":"completed"},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
                  {"type":"function_call","id":"fc_1","call_id":"call_a","name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}","status":"completed"},
                  {"type":"function_call","call_id":"call_b","name":"get_weather","arguments":"{\\"city\\":\\"Bergen\\"}"},
                  {"type":"function_call_output","call_id":"call_a","output":"cold"},
                  {"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"rain"}]}]}"""
                .formatted(WEATHER));

        assertThat(c.messages()).hasSize(4);
        Message turn = c.messages().get(1);
        assertThat(turn.role()).isEqualTo(Message.Role.ASSISTANT);
        assertThat(turn.reasoning()).isEqualTo("Two calls.");
        assertThat(turn.content()).isEqualTo("Checking.");
        assertThat(turn.toolCalls()).extracting(ToolCall::id, ToolCall::name, ToolCall::arguments)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("call_a", "get_weather", "{\"city\":\"Oslo\"}"),
                        org.assertj.core.groups.Tuple.tuple("call_b", "get_weather", "{\"city\":\"Bergen\"}"));
        assertThat(turn.toolCalls().get(0).parsedArguments().get("city").asText()).isEqualTo("Oslo");
        assertThat(c.messages().get(2)).isEqualTo(Message.tool("call_a", "cold"));
        assertThat(c.messages().get(3)).isEqualTo(Message.tool("call_b", "rain"));
    }

    @Test
    void reasoning_without_text_content_falls_back_to_its_summaries_and_an_empty_one_is_dropped() {
        Conversation c = conversation("""
                {"model":"m","input":[{"role":"user","content":"q"},
                  {"type":"reasoning","id":"rs_0","summary":[]},
                  {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"s1"},{"type":"summary_text","text":"s2"}]},
                  {"role":"assistant","content":"a"}]}""");

        assertThat(c.messages().get(1).reasoning()).isEqualTo("s1\n\ns2");
        assertThat(c.messages().get(1).content()).isEqualTo("a");
        assertThat(c.messages()).hasSize(2);
    }

    @Test
    void function_tools_are_flat_strict_by_default_and_printed_to_the_model_in_the_chat_shape() {
        ResponsesExchange x = exchange("{\"model\":\"m\",\"input\":\"hi\",\"tools\":[" + WEATHER
                + ",{\"type\":\"function\",\"name\":\"noop\",\"strict\":false,\"parameters\":null}],"
                + "\"tool_choice\":{\"type\":\"function\",\"name\":\"get_weather\"},\"parallel_tool_calls\":false}");

        Conversation c = x.request().conversation();
        assertThat(c.tools()).extracting(Tool::name, Tool::strict)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("get_weather", true),
                        org.assertj.core.groups.Tuple.tuple("noop", false));
        assertThat(c.tools().get(0).definition().toString()).isEqualTo("{\"type\":\"function\",\"function\":{"
                + "\"name\":\"get_weather\",\"description\":\"Weather of a city\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}");
        assertThat(c.tools().get(1).parameters().toString()).isEqualTo("{\"type\":\"object\",\"properties\":{}}");
        assertThat(c.toolChoice()).isEqualTo(new ToolChoice.Named("get_weather"));
        assertThat(c.parallelToolCalls()).isFalse();
        assertThat(x.responses().toolsEcho().get(1).toString()).isEqualTo("{\"type\":\"function\",\"name\":\"noop\","
                + "\"description\":null,\"parameters\":{\"type\":\"object\",\"properties\":{}},\"strict\":false}");
        assertThat(x.responses().toolChoiceEcho().toString()).isEqualTo("{\"type\":\"function\",\"name\":\"get_weather\"}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"auto,AUTO", "none,NONE", "required,REQUIRED"})
    void tool_choice_strings(String wire, String expected) {
        Conversation c = conversation("{\"model\":\"m\",\"input\":\"hi\",\"tools\":[" + WEATHER + "],\"tool_choice\":\""
                + wire + "\"}");
        assertThat(c.toolChoice()).isEqualTo(switch (expected) {
            case "AUTO" -> ToolChoice.AUTO;
            case "NONE" -> ToolChoice.NONE;
            default -> ToolChoice.REQUIRED;
        });
    }

    @Test
    void text_formats_json_object_and_json_schema_with_name_strict_and_description() {
        assertThat(conversation("{\"model\":\"m\",\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"json_object\"}}}")
                .responseFormat()).isEqualTo(ResponseFormat.JSON_OBJECT);
        ResponsesExchange x = exchange("""
                {"model":"m","input":"hi","text":{"verbosity":"medium","format":{"type":"json_schema","name":"forecast",
                 "description":"A forecast","strict":true,
                 "schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}}}""");

        ResponseFormat.JsonSchema f = (ResponseFormat.JsonSchema) x.request().conversation().responseFormat();
        assertThat(f.name()).isEqualTo("forecast");
        assertThat(f.description()).isEqualTo("A forecast");
        assertThat(f.strict()).isTrue();
        assertThat(f.schema().get("required").get(0).asText()).isEqualTo("city");
        assertThat(x.responses().textEcho().toString()).isEqualTo("{\"format\":{\"type\":\"json_schema\","
                + "\"description\":\"A forecast\",\"name\":\"forecast\",\"schema\":" + f.schema() + ",\"strict\":true},"
                + "\"verbosity\":\"medium\"}");
    }

    @Test
    void sampling_output_limit_reasoning_effort_metadata_and_end_user_ids_are_read() {
        ResponsesExchange x = exchange("""
                {"model":"m","input":"hi","stream":true,"stream_options":{"include_obfuscation":false},
                 "max_output_tokens":64,"temperature":0.3,"top_p":0.8,"reasoning":{"effort":"high","summary":null},
                 "metadata":{"ticket":"T-1"},"user":"u1","safety_identifier":"s1","store":false,
                 "background":false,"truncation":"disabled","include":[],"service_tier":"auto","max_tool_calls":3,
                 "top_logprobs":0,"prompt_cache_key":null}""");

        InferenceRequest r = x.request();
        assertThat(r.stream()).isTrue();
        assertThat(r.maxTokens()).isEqualTo(64);
        assertThat(r.sampling()).isEqualTo(new InferenceRequest.Sampling(0.3, 0.8, null, null, null, null));
        assertThat(r.conversation().reasoning()).isEqualTo(new Reasoning("high", null));
        ResponsesRequest rr = x.responses();
        assertThat(rr.metadata().toString()).isEqualTo("{\"ticket\":\"T-1\"}");
        assertThat(rr.user()).isEqualTo("u1");
        assertThat(rr.safetyIdentifier()).isEqualTo("s1");
        assertThat(rr.store()).isFalse();
        assertThat(rr.maxToolCalls()).isEqualTo(3);
    }

    @Test
    void with_storage_off_store_defaults_to_false() throws Exception {
        var x = (ResponsesExchange) dialect(false).parse("{\"model\":\"m\",\"input\":\"hi\"}"
                .getBytes(StandardCharsets.UTF_8), CALLER);
        assertThat(x.responses().store()).isFalse();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"input":"hi"}                                                                         | model                 | missing_required_parameter
            {"model":"m"}                                                                          | input                 | missing_required_parameter
            {"model":"m","input":[]}                                                               | input                 | invalid_value
            {"model":"m","input":42}                                                               | input                 | invalid_type
            {"model":"m","input":"hi","messages":[]}                                               | messages              | unknown_parameter
            {"model":"m","input":"hi","top_k":3}                                                   | top_k                 | unknown_parameter
            {"model":"m","input":[{"role":"robot","content":"x"}]}                                 | input[0].role         | invalid_value
            {"model":"m","input":[{"role":"user"}]}                                                | input[0].content      | missing_required_parameter
            {"model":"m","input":[{"role":"user","content":"x","name":"bob"}]}                     | input[0].name         | unknown_parameter
            {"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"u"}]}]} | input[0].content[0] | unsupported_content
            {"model":"m","input":[{"role":"user","content":[{"type":"output_text","text":"x"}]}]}  | input[0].content[0].type | invalid_value
            {"model":"m","input":[{"role":"assistant","content":[{"type":"input_text","text":"x"}]}]} | input[0].content[0].type | invalid_value
            {"model":"m","input":[{"role":"assistant","content":[{"type":"output_text","text":"x","annotations":[{"type":"url_citation"}]}]}]} | input[0].content[0].annotations | unsupported_parameter
            {"model":"m","input":[{"type":"web_search_call","id":"ws_1"}]}                         | input[0].type         | unsupported_parameter
            {"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}                         | input[0].type         | unsupported_parameter
            {"model":"m","input":[{"content":"x"}]}                                                | input[0].type         | missing_required_parameter
            {"model":"m","input":[{"type":"function_call","call_id":"c","name":"f"}]}              | input[0].arguments    | missing_required_parameter
            {"model":"m","input":[{"type":"function_call","call_id":"c","name":"f","arguments":{}}]} | input[0].arguments  | invalid_type
            {"model":"m","input":[{"role":"user","content":"x"},{"type":"function_call_output","call_id":"nope","output":"r"}]} | input[1].call_id | invalid_value
            {"model":"m","input":[{"type":"reasoning","summary":[],"encrypted_content":"gAAA"}]}   | input[0].encrypted_content | unsupported_parameter
            {"model":"m","input":[{"role":"user","content":"x","status":"done"}]}                  | input[0].status       | invalid_value
            {"model":"m","input":"hi","tools":[{"type":"web_search"}]}                             | tools[0].type         | unsupported_parameter
            {"model":"m","input":"hi","tools":[{"type":"file_search","vector_store_ids":["v"]}]}   | tools[0].type         | unsupported_parameter
            {"model":"m","input":"hi","tools":[{"type":"computer_use_preview"}]}                   | tools[0].type         | unsupported_parameter
            {"model":"m","input":"hi","tools":[{"type":"function","function":{"name":"f"}}]}       | tools[0].function     | invalid_value
            {"model":"m","input":"hi","tools":[{"type":"function","name":"f g"}]}                  | tools[0].name         | invalid_value
            {"model":"m","input":"hi","tools":[{"type":"function","name":"f"},{"type":"function","name":"f"}]} | tools[1].name | invalid_value
            {"model":"m","input":"hi","tools":[{"type":"function","name":"f","parameters":{"$ref":"http://x"}}]} | tools[0].parameters | invalid_schema
            {"model":"m","input":"hi","tools":[{"type":"function","name":"f","defer_loading":true}]} | tools[0].defer_loading | unsupported_parameter
            {"model":"m","input":"hi","tool_choice":"required"}                                    | tool_choice           | invalid_value
            {"model":"m","input":"hi","tool_choice":"sometimes"}                                   | tool_choice           | invalid_value
            {"model":"m","input":"hi","tool_choice":{"type":"web_search_preview"}}                 | tool_choice.type      | unsupported_parameter
            {"model":"m","input":"hi","tool_choice":{"type":"allowed_tools","mode":"auto","tools":[]}} | tool_choice.type  | unsupported_parameter
            {"model":"m","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"g"}} | tool_choice.name | invalid_value
            {"model":"m","input":"hi","text":{"format":{"type":"json_schema","schema":{"type":"object"}}}} | text.format.name | missing_required_parameter
            {"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}}        | text.format.schema    | missing_required_parameter
            {"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"x","schema":{"$id":"y"}}}} | text.format.schema | invalid_schema
            {"model":"m","input":"hi","text":{"format":{"type":"yaml"}}}                           | text.format.type      | invalid_value
            {"model":"m","input":"hi","text":{"format":{"type":"json_object","schema":{}}}}        | text.format.schema    | unknown_parameter
            {"model":"m","input":"hi","text":{"verbosity":"low"}}                                  | text.verbosity        | unsupported_parameter
            {"model":"m","input":"hi","response_format":{"type":"json_object"}}                    | response_format       | unknown_parameter
            {"model":"m","input":"hi","reasoning":{"effort":"xhigh"}}                              | reasoning.effort      | invalid_value
            {"model":"m","input":"hi","reasoning":{"summary":"auto"}}                              | reasoning.summary     | unsupported_parameter
            {"model":"m","input":"hi","reasoning":{"generate_summary":"concise"}}                  | reasoning.generate_summary | unsupported_parameter
            {"model":"m","input":"hi","max_output_tokens":0}                                       | max_output_tokens     | invalid_value
            {"model":"m","input":"hi","temperature":3}                                             | temperature           | invalid_value
            {"model":"m","input":"hi","background":true}                                           | background            | unsupported_parameter
            {"model":"m","input":"hi","truncation":"auto"}                                         | truncation            | unsupported_parameter
            {"model":"m","input":"hi","include":["reasoning.encrypted_content"]}                   | include[0]            | unsupported_parameter
            {"model":"m","input":"hi","include":["nonsense"]}                                      | include[0]            | invalid_value
            {"model":"m","input":"hi","service_tier":"priority"}                                   | service_tier          | unsupported_parameter
            {"model":"m","input":"hi","top_logprobs":5}                                            | top_logprobs          | unsupported_parameter
            {"model":"m","input":"hi","stream_options":{"include_obfuscation":true}}               | stream_options.include_obfuscation | unsupported_parameter
            {"model":"m","input":"hi","prompt":{"id":"pmpt_1"}}                                    | prompt                | unsupported_parameter
            {"model":"m","input":"hi","conversation":"conv_1"}                                     | conversation          | unsupported_parameter
            {"model":"m","input":"hi","prompt_cache_key":"k"}                                      | prompt_cache_key      | unsupported_parameter
            {"model":"m","input":"hi","metadata":{"n":1}}                                          | metadata.n            | invalid_type
            {"model":"m","input":"hi","previous_response_id":""}                                   | previous_response_id  | invalid_value
            """)
    void refusals_name_the_field(String body, String param, String code) {
        ApiError e = refusal(body);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo(param);
        assertThat(e.code()).isEqualTo(code);
    }

    @Test
    void with_storage_off_store_true_and_previous_response_id_are_refused() {
        ApiError store = refusal("{\"model\":\"m\",\"input\":\"hi\",\"store\":true}", false);
        assertThat(store.param()).isEqualTo("store");
        assertThat(store.code()).isEqualTo("unsupported_parameter");
        assertThat(store.getMessage()).contains("turned off");
        ApiError previous = refusal("{\"model\":\"m\",\"input\":\"hi\",\"previous_response_id\":\"resp_x\"}", false);
        assertThat(previous.param()).isEqualTo("previous_response_id");
        assertThat(previous.code()).isEqualTo("unsupported_parameter");
    }

    @Test
    void the_body_must_be_a_json_object() {
        assertThat(refusal("[1]").code()).isEqualTo("invalid_json");
        assertThat(refusal("{\"model\":").code()).isEqualTo("invalid_json");
    }
}
