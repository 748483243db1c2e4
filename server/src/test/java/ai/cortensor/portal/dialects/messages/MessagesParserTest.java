package ai.cortensor.portal.dialects.messages;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.ResponseFormat;
import ai.cortensor.portal.families.Tool;
import ai.cortensor.portal.families.ToolCall;
import ai.cortensor.portal.families.ToolChoice;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.web.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Request bodies in, the Conversation (or the 400 naming the field) out. */
class MessagesParserTest {
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String WEATHER = "{\"name\":\"get_weather\",\"description\":\"Weather in a city\","
            + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}";

    private static MessagesParser.Parsed parse(String json) {
        return MessagesParser.parse(json.getBytes(StandardCharsets.UTF_8), MessagesParser.Mode.CREATE);
    }

    private static Conversation conversation(String json) {
        return parse(json).conversation();
    }

    private static ApiError refusal(String json) {
        return refusal(json, MessagesParser.Mode.CREATE);
    }

    private static ApiError refusal(String json, MessagesParser.Mode mode) {
        try {
            MessagesParser.parse(json.getBytes(StandardCharsets.UTF_8), mode);
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    private static String body(String fields) {
        return "{\"model\":\"qwen\",\"max_tokens\":256," + fields + "}";
    }

    @Test
    void a_plain_request_becomes_one_user_message_with_the_model_limits_and_sampling() {
        MessagesParser.Parsed p = parse("""
                {"model":"qwen","max_tokens":300,"stream":true,"temperature":0.2,"top_p":0.9,"top_k":40,
                 "stop_sequences":["END","STOP"],"metadata":{"user_id":"u-42"},"service_tier":"standard_only",
                 "messages":[{"role":"user","content":"Hello there"}]}""");
        assertThat(p.model()).isEqualTo("qwen");
        assertThat(p.maxTokens()).isEqualTo(300);
        assertThat(p.stream()).isTrue();
        assertThat(p.sampling()).isEqualTo(new InferenceRequest.Sampling(0.2, 0.9, 40, null, null,
                List.of("END", "STOP")));
        assertThat(p.conversation().messages()).containsExactly(Message.user("Hello there"));
        assertThat(p.conversation().toolChoice()).isEqualTo(ToolChoice.AUTO);
        assertThat(p.conversation().responseFormat()).isEqualTo(ResponseFormat.TEXT);
    }

    @Test
    void the_dialect_names_max_tokens_and_messages_for_the_pipelines_errors() {
        InferenceRequest r = new MessagesDialect().parse(body(HI).getBytes(StandardCharsets.UTF_8), null).request();
        assertThat(r.maxTokensParam()).isEqualTo("max_tokens");
        assertThat(r.inputParam()).isEqualTo("messages");
        assertThat(r.prompt()).isNull();
        assertThat(r.stream()).isFalse();
    }

    private static ai.cortensor.portal.gateway.Exchange exchange(String json) {
        return new MessagesDialect().parse(json.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void the_gateways_chat_field_names_become_the_clients_fields() {
        ai.cortensor.portal.gateway.Exchange e = exchange(body("""
                "system":"Be brief.",
                "messages":[
                  {"role":"user","content":"Weather?"},
                  {"role":"assistant","content":[{"type":"text","text":"Checking."},
                     {"type":"tool_use","id":"a","name":"f","input":{}},{"type":"tool_use","id":"b","name":"f","input":{}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"1"},
                     {"type":"tool_result","tool_use_id":"b","content":"2"},{"type":"text","text":"So?"}]},
                  {"role":"system","content":"Now in French."},
                  {"role":"user","content":"Go."}]"""));
        // conversation: 0 system, 1 user, 2 assistant, 3 tool a, 4 tool b, 5 user "So?", 6 system, 7 user
        assertThat(e.field("messages[0]")).isEqualTo("system");
        assertThat(e.field("messages[0].content")).isEqualTo("system");
        assertThat(e.field("messages[1]")).isEqualTo("messages[0]");
        assertThat(e.field("messages[2].content")).isEqualTo("messages[1].content");
        assertThat(e.field("messages[2].tool_calls[1].function.arguments")).isEqualTo("messages[1].content[2].input");
        assertThat(e.field("messages[2].tool_calls[0]")).isEqualTo("messages[1].content[1]");
        assertThat(e.field("messages[2].reasoning_content")).isEqualTo("messages[1]");
        assertThat(e.field("messages[4]")).isEqualTo("messages[2].content[1]");
        assertThat(e.field("messages[5]")).isEqualTo("messages[2]");
        assertThat(e.field("messages[6]")).isEqualTo("messages[3]");
        assertThat(e.field("messages[7]")).isEqualTo("messages[4]");
        assertThat(e.field("messages[9]")).isEqualTo("messages");
        assertThat(e.field("chat_template_kwargs.enable_thinking")).isEqualTo("thinking");
        assertThat(e.field("reasoning_effort")).isEqualTo("output_config.effort");
        assertThat(e.field("response_format")).isEqualTo("output_config.format");
        assertThat(e.field("tool_choice")).isEqualTo("tool_choice");
    }

    @Test
    void system_as_a_string_is_the_first_message() {
        assertThat(conversation(body("\"system\":\"Be brief.\"," + HI)).messages())
                .containsExactly(Message.system("Be brief."), Message.user("hi"));
    }

    @Test
    void system_as_text_blocks_is_joined_by_newlines_and_cache_control_is_accepted() {
        assertThat(conversation(body("""
                "system":[{"type":"text","text":"You are a helper."},
                          {"type":"text","text":"Answer in French.","cache_control":{"type":"ephemeral","ttl":"1h"}}],
                """ + HI)).messages().get(0)).isEqualTo(Message.system("You are a helper.\nAnswer in French."));
    }

    @Test
    void an_empty_system_adds_no_message() {
        assertThat(conversation(body("\"system\":\"\"," + HI)).messages()).containsExactly(Message.user("hi"));
    }

    @Test
    void a_non_text_system_block_is_refused_at_its_type() {
        ApiError e = refusal(body("\"system\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image\"}]," + HI));
        assertThat(e.param()).isEqualTo("system[1].type");
        assertThat(e.code()).isEqualTo("unsupported_content");
    }

    @Test
    void text_blocks_of_one_message_are_joined_by_newlines() {
        assertThat(conversation(body("""
                "messages":[{"role":"user","content":[{"type":"text","text":"Here is a poem."},
                                                      {"type":"text","text":"What rhymes?","citations":null}]}]""")).messages())
                .containsExactly(Message.user("Here is a poem.\nWhat rhymes?"));
    }

    @Test
    void tool_use_and_tool_result_round_trip_into_calls_tool_messages_and_the_following_text() {
        Conversation c = conversation(body("""
                "tools":[%s],
                "messages":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":[
                     {"type":"thinking","thinking":"Two cities, two calls.","signature":"c2ln"},
                     {"type":"text","text":"Let me check."},
                     {"type":"tool_use","id":"toolu_a","name":"get_weather","input":{"city":"Paris"},"caller":{"type":"direct"}},
                     {"type":"tool_use","id":"toolu_b","name":"get_weather","input":{"city":"Rome","unit":"C"}}]},
                  {"role":"user","content":[
                     {"type":"tool_result","tool_use_id":"toolu_a","content":"18C and sunny"},
                     {"type":"tool_result","tool_use_id":"toolu_b","content":[{"type":"text","text":"station"},{"type":"text","text":"offline"}],"is_error":true},
                     {"type":"text","text":"Summarise please."}]}]""".formatted(WEATHER)));
        assertThat(c.messages()).hasSize(5);
        assertThat(c.messages().get(0)).isEqualTo(Message.user("Weather in Paris and Rome?"));
        Message assistant = c.messages().get(1);
        assertThat(assistant.role()).isEqualTo(Message.Role.ASSISTANT);
        assertThat(assistant.content()).isEqualTo("Let me check.");
        assertThat(assistant.reasoning()).isEqualTo("Two cities, two calls.");
        assertThat(assistant.toolCalls()).extracting(ToolCall::id, ToolCall::name, ToolCall::arguments)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("toolu_a", "get_weather", "{\"city\":\"Paris\"}"),
                        org.assertj.core.groups.Tuple.tuple("toolu_b", "get_weather", "{\"city\":\"Rome\",\"unit\":\"C\"}"));
        assertThat(assistant.toolCalls().get(1).parsedArguments().fieldNames()).toIterable()
                .containsExactly("city", "unit");
        assertThat(c.messages().get(2)).isEqualTo(Message.tool("toolu_a", "18C and sunny"));
        assertThat(c.messages().get(3)).isEqualTo(Message.tool("toolu_b", "Error: station\noffline"));
        assertThat(c.messages().get(4)).isEqualTo(Message.user("Summarise please."));
    }

    @Test
    void a_user_message_of_tool_results_only_adds_no_user_message() {
        Conversation c = conversation(body("""
                "messages":[{"role":"user","content":"go"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]"""));
        assertThat(c.messages()).extracting(Message::role)
                .containsExactly(Message.Role.USER, Message.Role.ASSISTANT, Message.Role.TOOL);
        assertThat(c.messages().get(2).content()).isEmpty();
        assertThat(c.messages().get(1).content()).isEmpty();
        assertThat(c.messages().get(1).reasoning()).isNull();
    }

    @Test
    void a_tool_result_for_no_tool_use_of_the_previous_message_is_refused() {
        ApiError e = refusal(body("""
                "messages":[{"role":"user","content":"go"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"},{"type":"tool_result","tool_use_id":"t9"}]}]"""));
        assertThat(e.param()).isEqualTo("messages[2].content[1].tool_use_id");
        assertThat(e.getMessage()).contains("t9");
    }

    @Test
    void a_tool_use_without_its_result_in_the_next_message_is_refused() {
        ApiError e = refusal(body("""
                "messages":[{"role":"user","content":"go"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
                  {"role":"user","content":"never mind"}]"""));
        assertThat(e.param()).isEqualTo("messages[2]");
        assertThat(e.getMessage()).contains("t1").contains("without tool_result");
    }

    @Test
    void a_tool_result_after_text_is_refused() {
        ApiError e = refusal(body("""
                "messages":[{"role":"user","content":"go"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
                  {"role":"user","content":[{"type":"text","text":"x"},{"type":"tool_result","tool_use_id":"t1"}]}]"""));
        assertThat(e.param()).isEqualTo("messages[2].content[1]");
    }

    @ParameterizedTest
    @CsvSource({"image", "document", "search_result"})
    void media_blocks_are_refused_naming_the_block_path(String kind) {
        ApiError e = refusal(body("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},"
                + "{\"type\":\"" + kind + "\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AA==\"}}]}]"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("messages[0].content[1].type");
        assertThat(e.code()).isEqualTo("unsupported_content");
        assertThat(AnthropicErrors.message(e)).startsWith("messages[0].content[1].type: '" + kind + "' blocks");
    }

    @Test
    void an_image_inside_a_tool_result_is_refused_at_its_path() {
        ApiError e = refusal(body("""
                "messages":[{"role":"user","content":"go"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"image"}]}]}]"""));
        assertThat(e.param()).isEqualTo("messages[2].content[0].content[0].type");
    }

    @Test
    void redacted_thinking_is_refused() {
        ApiError e = refusal(body("""
                "messages":[{"role":"user","content":"a"},
                  {"role":"assistant","content":[{"type":"redacted_thinking","data":"xyz"},{"type":"text","text":"b"}]},
                  {"role":"user","content":"c"}]"""));
        assertThat(e.param()).isEqualTo("messages[1].content[0].type");
        assertThat(e.code()).isEqualTo("unsupported_content");
    }

    @Test
    void several_thinking_blocks_are_the_messages_reasoning_and_need_a_signature() {
        Conversation c = conversation(body("""
                "messages":[{"role":"user","content":"a"},
                  {"role":"assistant","content":[{"type":"thinking","thinking":"one","signature":"s"},
                                                 {"type":"thinking","thinking":"two","signature":"s"},{"type":"text","text":"b"}]},
                  {"role":"user","content":"c"}]"""));
        assertThat(c.messages().get(1).reasoning()).isEqualTo("one\ntwo");
        assertThat(refusal(body("""
                "messages":[{"role":"user","content":"a"},
                  {"role":"assistant","content":[{"type":"thinking","thinking":"one"}]},{"role":"user","content":"c"}]""")).param())
                .isEqualTo("messages[1].content[0].signature");
    }

    @Test
    void thinking_or_tool_use_in_a_user_message_is_refused() {
        assertThat(refusal(body("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"x\","
                + "\"signature\":\"s\"}]}]")).param()).isEqualTo("messages[0].content[0].type");
        assertThat(refusal(body("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\","
                + "\"name\":\"f\",\"input\":{}}]}]")).param()).isEqualTo("messages[0].content[0].type");
    }

    @Test
    void server_tool_blocks_in_history_are_refused() {
        ApiError e = refusal(body("""
                "messages":[{"role":"user","content":"a"},
                  {"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]},
                  {"role":"user","content":"c"}]"""));
        assertThat(e.param()).isEqualTo("messages[1].content[0].type");
    }

    @Test
    void a_final_assistant_message_prefill_is_refused() {
        ApiError e = refusal(body("\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"{\"}]"));
        assertThat(e.param()).isEqualTo("messages[1]");
        assertThat(e.getMessage()).contains("prefill");
    }

    @Test
    void a_system_message_in_messages_is_a_system_message_where_it_stands() {
        Conversation c = conversation(body("""
                "system":"First.","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},
                  {"role":"system","content":[{"type":"text","text":"Now answer in French."}]},{"role":"user","content":"c"}]"""));
        assertThat(c.messages()).containsExactly(Message.system("First."), Message.user("a"), Message.assistant("b"),
                Message.system("Now answer in French."), Message.user("c"));
        assertThat(refusal(body("\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"t\"}]},{\"role\":\"user\",\"content\":\"b\"}]")).param())
                .isEqualTo("messages[0].content[0].type");
        assertThat(refusal(body("\"messages\":[{\"role\":\"robot\",\"content\":\"a\"}]")).param())
                .isEqualTo("messages[0].role");
    }

    @Test
    void custom_tools_become_function_definitions_the_templates_print() {
        Conversation c = conversation(body("""
                "tools":[{"type":"custom","name":"get_weather","description":"Weather in a city","strict":true,
                  "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},
                  "cache_control":{"type":"ephemeral"}}],""" + HI));
        Tool t = c.tools().get(0);
        assertThat(t.name()).isEqualTo("get_weather");
        assertThat(t.description()).isEqualTo("Weather in a city");
        assertThat(t.strict()).isTrue();
        assertThat(t.parameters().toString()).isEqualTo("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                + "\"required\":[\"city\"]}");
        assertThat(t.definition().toString()).isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"description\":\"Weather in a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
                + "{\"type\":\"string\"}},\"required\":[\"city\"]}}}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"web_search_20250305", "bash_20250124", "computer_20250124", "text_editor_20250728",
            "code_execution_20250825", "web_fetch_20250910", "memory_20250818"})
    void server_tools_are_refused_at_their_type(String kind) {
        ApiError e = refusal(body("\"tools\":[" + WEATHER + ",{\"type\":\"" + kind + "\",\"name\":\"x\"}]," + HI));
        assertThat(e.param()).isEqualTo("tools[1].type");
        assertThat(e.code()).isEqualTo("unsupported_parameter");
        assertThat(e.getMessage()).contains(kind).contains("custom tool");
    }

    @Test
    void tools_need_an_object_input_schema_and_unique_valid_names() {
        assertThat(refusal(body("\"tools\":[{\"name\":\"f\"}]," + HI)).param()).isEqualTo("tools[0].input_schema");
        assertThat(refusal(body("\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"string\"}}]," + HI)).param())
                .isEqualTo("tools[0].input_schema.type");
        assertThat(refusal(body("\"tools\":[" + WEATHER + "," + WEATHER + "]," + HI)).param()).isEqualTo("tools[1].name");
        assertThat(refusal(body("\"tools\":[{\"name\":\"no spaces\",\"input_schema\":{\"type\":\"object\"}}]," + HI)).param())
                .isEqualTo("tools[0].name");
        assertThat(refusal(body("\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"},\"colour\":1}]," + HI)).param())
                .isEqualTo("tools[0].colour");
        assertThat(refusal(body("\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\",\"$ref\":\"http://x\"}}]," + HI))
                .code()).isEqualTo("invalid_schema");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"type\":\"auto\"}                                       | AUTO     | true",
            "{\"type\":\"auto\",\"disable_parallel_tool_use\":true}     | AUTO     | false",
            "{\"type\":\"any\"}                                        | REQUIRED | true",
            "{\"type\":\"any\",\"disable_parallel_tool_use\":true}      | REQUIRED | false",
            "{\"type\":\"tool\",\"name\":\"get_weather\"}              | NAMED    | true",
            "{\"type\":\"none\"}                                       | NONE     | true"})
    void tool_choice_maps_to_the_conversations_choice_and_parallel_calls(String json, String choice, boolean parallel) {
        Conversation c = conversation(body("\"tools\":[" + WEATHER + "],\"tool_choice\":" + json + "," + HI));
        ToolChoice expected = switch (choice) {
            case "AUTO" -> ToolChoice.AUTO;
            case "REQUIRED" -> ToolChoice.REQUIRED;
            case "NONE" -> ToolChoice.NONE;
            default -> new ToolChoice.Named("get_weather");
        };
        assertThat(c.toolChoice()).isEqualTo(expected);
        assertThat(c.parallelToolCalls()).isEqualTo(parallel);
    }

    @Test
    void tool_choice_must_name_an_offered_tool_and_forcing_needs_tools() {
        assertThat(refusal(body("\"tools\":[" + WEATHER + "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"nope\"}," + HI))
                .param()).isEqualTo("tool_choice.name");
        assertThat(refusal(body("\"tool_choice\":{\"type\":\"any\"}," + HI)).param()).isEqualTo("tool_choice");
        assertThat(refusal(body("\"tool_choice\":{\"type\":\"required\"}," + HI)).param()).isEqualTo("tool_choice.type");
        assertThat(conversation(body("\"tool_choice\":{\"type\":\"none\"}," + HI)).toolChoice()).isEqualTo(ToolChoice.NONE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "                                                          | ''     | false",
            "\"thinking\":{\"type\":\"disabled\"},                       | ''     | false",
            "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}, | low    | true",
            "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":8000}, | medium | true",
            "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":20000},| high   | true",
            "\"thinking\":{\"type\":\"adaptive\"},                       | ''     | ''"})
    void thinking_sets_the_reasoning_switch_and_the_budget_its_effort(String field, String effort, String on) {
        Reasoning r = parse("{\"model\":\"qwen\",\"max_tokens\":32000," + (field == null ? "" : field) + HI + "}")
                .conversation().reasoning();
        assertThat(r).isEqualTo(new Reasoning(effort.isEmpty() ? null : effort, on.isEmpty() ? null
                : Boolean.valueOf(on)));
    }

    @Test
    void output_config_effort_sets_the_effort_of_enabled_or_adaptive_thinking() {
        assertThat(parse("{\"model\":\"qwen\",\"max_tokens\":4096,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":"
                + "1024},\"output_config\":{\"effort\":\"max\"}," + HI + "}").conversation().reasoning())
                .isEqualTo(new Reasoning("high", true));
        assertThat(conversation(body("\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"low\"},"
                + HI)).reasoning()).isEqualTo(new Reasoning("low", null));
        assertThat(conversation(body("\"output_config\":{\"effort\":\"high\"}," + HI)).reasoning())
                .isEqualTo(new Reasoning(null, false));
        assertThat(refusal(body("\"output_config\":{\"effort\":\"extreme\"}," + HI)).param()).isEqualTo("output_config.effort");
    }

    @Test
    void thinking_budgets_follow_anthropics_rules() {
        assertThat(refusal(body("\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":512}," + HI)).param())
                .isEqualTo("thinking.budget_tokens");
        assertThat(refusal(body("\"thinking\":{\"type\":\"enabled\"}," + HI)).param()).isEqualTo("thinking.budget_tokens");
        ApiError tooBig = refusal(body("\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}," + HI));
        assertThat(tooBig.param()).isEqualTo("max_tokens");
        assertThat(tooBig.getMessage()).isEqualTo("max_tokens must be greater than thinking.budget_tokens");
        assertThat(refusal(body("\"thinking\":{\"type\":\"sometimes\"}," + HI)).param()).isEqualTo("thinking.type");
    }

    @Test
    void thinking_display_omitted_is_kept_for_the_answer() {
        assertThat(parse(body("\"thinking\":{\"type\":\"adaptive\",\"display\":\"omitted\"}," + HI)).omitThinking()).isTrue();
        assertThat(parse(body("\"thinking\":{\"type\":\"adaptive\",\"display\":\"summarized\"}," + HI)).omitThinking()).isFalse();
        assertThat(refusal(body("\"thinking\":{\"type\":\"adaptive\",\"display\":\"loud\"}," + HI)).param())
                .isEqualTo("thinking.display");
    }

    @Test
    void output_config_format_is_a_strict_json_schema_response_format() {
        ResponseFormat f = conversation(body("\"output_config\":{\"format\":{\"type\":\"json_schema\",\"schema\":"
                + "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}}}," + HI)).responseFormat();
        assertThat(f).isInstanceOf(ResponseFormat.JsonSchema.class);
        assertThat(((ResponseFormat.JsonSchema) f).strict()).isTrue();
        assertThat(((ResponseFormat.JsonSchema) f).schema().toString())
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}");
        assertThat(refusal(body("\"output_config\":{\"format\":{\"type\":\"json_schema\"}}," + HI)).param())
                .isEqualTo("output_config.format.schema");
    }

    @Test
    void max_tokens_is_required_as_anthropic_requires_it() {
        ApiError e = refusal("{\"model\":\"qwen\"," + HI + "}");
        assertThat(e.param()).isEqualTo("max_tokens");
        assertThat(AnthropicErrors.message(e)).isEqualTo("max_tokens: Field required");
        assertThat(refusal(body(HI).replace("256", "0")).param()).isEqualTo("max_tokens");
    }

    @Test
    void count_tokens_takes_the_body_without_max_tokens_stream_or_sampling() {
        MessagesParser.Parsed p = MessagesParser.parse(("{\"model\":\"qwen\",\"system\":\"s\",\"tools\":[" + WEATHER
                + "],\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}," + HI + "}").getBytes(StandardCharsets.UTF_8),
                MessagesParser.Mode.COUNT);
        assertThat(p.maxTokens()).isNull();
        assertThat(p.conversation().messages()).hasSize(2);
        for (String f : List.of("\"max_tokens\":5", "\"stream\":true", "\"temperature\":0.5", "\"metadata\":{}")) {
            assertThat(refusal("{\"model\":\"qwen\"," + f + "," + HI + "}", MessagesParser.Mode.COUNT).code())
                    .as(f).isEqualTo("unknown_parameter");
        }
    }

    @Test
    void unknown_fields_anywhere_are_refused_as_anthropic_refuses_them() {
        ApiError top = refusal(body("\"temperatur\":1," + HI));
        assertThat(top.param()).isEqualTo("temperatur");
        assertThat(AnthropicErrors.message(top)).isEqualTo("temperatur: Extra inputs are not permitted");
        assertThat(refusal(body("\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"name\":\"bob\"}]")).param())
                .isEqualTo("messages[0].name");
        assertThat(refusal(body("\"metadata\":{\"user_id\":\"u\",\"tenant\":\"t\"}," + HI)).param()).isEqualTo("metadata.tenant");
        assertThat(refusal(body("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\",\"x\":1}]}]"))
                .param()).isEqualTo("messages[0].content[0].x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"container\":\"c1\"                                   | container",
            "\"mcp_servers\":[{\"type\":\"url\",\"url\":\"https://x\"}] | mcp_servers",
            "\"context_management\":{\"edits\":[]}                   | context_management",
            "\"inference_geo\":\"us\"                                | inference_geo",
            "\"speed\":\"fast\"                                      | speed",
            "\"stop_sequences\":[\"a\",\"b\",\"c\",\"d\",\"e\"]      | stop_sequences",
            "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\",\"citations\":[{\"type\":\"char_location\"}]}]}] | messages[0].content[0].citations"})
    void fields_this_gateway_cannot_honour_are_refused_by_name(String field, String param) {
        String json = field.startsWith("\"messages\"") ? body(field) : body(field + "," + HI);
        ApiError e = refusal(json);
        assertThat(e.param()).isEqualTo(param);
        assertThat(e.code()).isEqualTo("unsupported_parameter");
    }

    @Test
    void no_op_values_of_refused_fields_pass() {
        assertThat(conversation(body("\"mcp_servers\":[],\"container\":null,\"speed\":\"standard\",\"service_tier\":\"auto\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}," + HI)).messages()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"temperature\":1.5        | temperature",
            "\"top_p\":-0.1             | top_p",
            "\"top_k\":-1               | top_k",
            "\"stream\":\"yes\"         | stream",
            "\"service_tier\":\"priority\" | service_tier",
            "\"cache_control\":{\"type\":\"persistent\"} | cache_control.type",
            "\"metadata\":{\"user_id\":7} | metadata.user_id"})
    void values_out_of_range_or_of_the_wrong_type_are_refused(String field, String param) {
        assertThat(refusal(body(field + "," + HI)).param()).isEqualTo(param);
    }

    @Test
    void messages_and_model_are_required_and_not_empty() {
        assertThat(refusal("{\"max_tokens\":5," + HI + "}").param()).isEqualTo("model");
        assertThat(refusal(body("\"x\":1").replace(",\"x\":1", "")).param()).isEqualTo("messages");
        assertThat(refusal(body("\"messages\":[]")).param()).isEqualTo("messages");
        assertThat(refusal(body("\"messages\":[{\"role\":\"user\",\"content\":[]}]")).param()).isEqualTo("messages[0].content");
        assertThat(refusal(body("\"messages\":[{\"role\":\"user\"}]")).param()).isEqualTo("messages[0].content");
        assertThat(refusal("[1]").code()).isEqualTo("invalid_json");
        assertThat(refusal("{\"model\":").code()).isEqualTo("invalid_json");
    }
}
