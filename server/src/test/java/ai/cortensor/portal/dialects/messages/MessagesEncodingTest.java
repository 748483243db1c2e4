package ai.cortensor.portal.dialects.messages;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.gateway.EventStream;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.StreamEncoder;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.web.ApiError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Answers in, the exact bytes on the wire out: message bodies, event sequences, errors. */
class MessagesEncodingTest {
    private static final ResponseMeta META = new ResponseMeta("req_01JQ7ABCDEF", Instant.parse("2026-01-02T03:04:05Z"),
            "qwen");
    private static final String START = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{"
            + "\"id\":\"msg_01jq7abcdef\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"qwen\",\"content\":[],"
            + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"cache_creation_input_tokens\":0,"
            + "\"cache_read_input_tokens\":0,\"output_tokens\":0,\"service_tier\":\"standard\"}}}\n\n";
    private static final String PING = "event: ping\ndata: {\"type\":\"ping\"}\n\n";
    private static final String STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private static MessagesExchange exchange(boolean omitThinking) {
        return new MessagesExchange(null, omitThinking, new Origins(List.of(), List.of()));
    }

    private static String stream(boolean omitThinking, Consumer<StreamEncoder> events) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        EventStream out = new EventStream(() -> buffer);
        StreamEncoder encoder = exchange(omitThinking).stream(META, out);
        events.accept(encoder);
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static String blockStart(int index, String block) {
        return "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":" + index
                + ",\"content_block\":" + block + "}\n\n";
    }

    private static String delta(int index, String delta) {
        return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":"
                + delta + "}\n\n";
    }

    private static String blockStop(int index) {
        return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":" + index + "}\n\n";
    }

    private static String messageDelta(String stopReason, String usage) {
        return "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                + "\",\"stop_sequence\":null},\"usage\":" + usage + "}\n\n";
    }

    private static String usage(int in, int out) {
        return "{\"input_tokens\":" + in + ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
                + "\"output_tokens\":" + out + "}";
    }

    @Test
    void a_text_answer_streams_as_one_text_block_with_a_ping_after_its_start() {
        String wire = stream(false, e -> {
            e.content("Hello");
            e.content("");
            e.content(", world");
            e.finish("stop", new Usage(12, 3, 0, false));
        });
        assertThat(wire).isEqualTo(START
                + blockStart(0, "{\"type\":\"text\",\"text\":\"\"}") + PING
                + delta(0, "{\"type\":\"text_delta\",\"text\":\"Hello\"}")
                + delta(0, "{\"type\":\"text_delta\",\"text\":\", world\"}")
                + blockStop(0)
                + messageDelta("end_turn", usage(12, 3))
                + STOP);
    }

    @Test
    void thinking_then_text_is_a_thinking_block_signed_before_it_stops_then_a_text_block() {
        String signature = ThinkingSignature.of("Let me think. Done.");
        String wire = stream(false, e -> {
            e.reasoning("Let me think.");
            e.reasoning(" Done.");
            e.content("42");
            e.finish("stop", new Usage(20, 9, 5, false));
        });
        assertThat(wire).isEqualTo(START
                + blockStart(0, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}") + PING
                + delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"Let me think.\"}")
                + delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\" Done.\"}")
                + delta(0, "{\"type\":\"signature_delta\",\"signature\":\"" + signature + "\"}")
                + blockStop(0)
                + blockStart(1, "{\"type\":\"text\",\"text\":\"\"}")
                + delta(1, "{\"type\":\"text_delta\",\"text\":\"42\"}")
                + blockStop(1)
                + messageDelta("end_turn", "{\"input_tokens\":20,\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":0,\"output_tokens\":9,\"output_tokens_details\":{\"thinking_tokens\":5}}")
                + STOP);
    }

    @Test
    void omitted_thinking_streams_the_block_and_its_signature_without_the_text() {
        String wire = stream(true, e -> {
            e.reasoning("secret plan");
            e.content("ok");
            e.finish("stop", new Usage(1, 2, 1, false));
        });
        assertThat(wire).startsWith(START + blockStart(0, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}")
                + PING + delta(0, "{\"type\":\"signature_delta\",\"signature\":\"" + ThinkingSignature.of("secret plan")
                + "\"}") + blockStop(0));
        assertThat(wire).doesNotContain("secret plan").doesNotContain("thinking_delta");
    }

    @Test
    void a_tool_call_streams_as_a_tool_use_block_with_its_whole_input_in_one_input_json_delta() {
        String wire = stream(false, e -> {
            e.content("Checking.");
            e.toolCallStart(0, "get_weather");
            e.toolCallArguments(0, "{\"city\":");
            e.toolCallArguments(0, "");
            e.toolCallArguments(0, " \"Paris\"}");
            e.toolCallStart(1, "get_time");
            e.toolCallArguments(1, "{}");
            e.finish("tool_calls", new Usage(30, 25, 0, true));
        });
        assertThat(wire).isEqualTo(START
                + blockStart(0, "{\"type\":\"text\",\"text\":\"\"}") + PING
                + delta(0, "{\"type\":\"text_delta\",\"text\":\"Checking.\"}")
                + blockStop(0)
                + blockStart(1, "{\"type\":\"tool_use\",\"id\":\"toolu_01jq7abcdef_0\",\"name\":\"get_weather\",\"input\":{},"
                        + "\"caller\":{\"type\":\"direct\"}}")
                + delta(1, "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\\\"Paris\\\"}\"}")
                + blockStop(1)
                + blockStart(2, "{\"type\":\"tool_use\",\"id\":\"toolu_01jq7abcdef_1\",\"name\":\"get_time\",\"input\":{},"
                        + "\"caller\":{\"type\":\"direct\"}}")
                + delta(2, "{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}")
                + blockStop(2)
                + messageDelta("tool_use", usage(30, 25))
                + STOP);
    }

    @Test
    void tool_input_that_is_not_a_json_object_is_sent_as_an_empty_object_and_no_input_sends_no_delta() {
        String wire = stream(false, e -> {
            e.toolCallStart(0, "broken");
            e.toolCallArguments(0, "{\"city\": \"Par");
            e.toolCallStart(1, "listy");
            e.toolCallArguments(1, "[1, 2]");
            e.toolCallStart(2, "noargs");
            e.finish("tool_calls", new Usage(1, 1, 0, false));
        });
        assertThat(wire).contains(delta(0, "{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}") + blockStop(0))
                .contains(delta(1, "{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}") + blockStop(1))
                .contains("\"name\":\"noargs\",\"input\":{},\"caller\":{\"type\":\"direct\"}}}\n\n" + blockStop(2));
    }

    @Test
    void a_max_tokens_cut_ends_with_stop_reason_max_tokens() {
        String wire = stream(false, e -> {
            e.content("lorem ipsum");
            e.finish("length", new Usage(4, 2, 0, false));
        });
        assertThat(wire).endsWith(blockStop(0) + messageDelta("max_tokens", usage(4, 2)) + STOP);
    }

    @Test
    void an_answer_with_no_content_still_starts_and_stops_the_message() {
        assertThat(stream(false, e -> e.finish("stop", new Usage(4, 0, 0, false))))
                .isEqualTo(START + messageDelta("end_turn", usage(4, 0)) + STOP);
    }

    @Test
    void a_router_break_mid_stream_ends_with_an_error_event_and_no_message_stop() {
        String wire = stream(false, e -> {
            e.content("lorem");
            e.fail(ApiError.server(502, "router_stream_interrupted",
                    "The inference backend stopped before the response was complete."), new Usage(4, 1, 0, true));
        });
        assertThat(wire).isEqualTo(START
                + blockStart(0, "{\"type\":\"text\",\"text\":\"\"}") + PING
                + delta(0, "{\"type\":\"text_delta\",\"text\":\"lorem\"}")
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"The inference "
                + "backend stopped before the response was complete.\",\"details\":{\"error_code\":\"router_stream_interrupted\"}},"
                + "\"request_id\":\"req_01JQ7ABCDEF\"}\n\n");
    }

    @Test
    void an_overload_mid_stream_is_an_overloaded_error_event() {
        assertThat(new String(AnthropicErrors.event(ApiError.server(503, "router_overloaded", "Busy."),
                "req_1"), StandardCharsets.UTF_8)).isEqualTo("event: error\ndata: {\"type\":\"error\",\"error\":"
                + "{\"type\":\"overloaded_error\",\"message\":\"Busy.\",\"details\":{\"error_code\":\"router_overloaded\"}},"
                + "\"request_id\":\"req_1\"}\n\n");
    }

    @Test
    void nothing_is_written_before_the_first_event() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        EventStream out = new EventStream(() -> buffer);
        exchange(false).stream(META, out);
        assertThat(out.opened()).isFalse();
    }

    @Test
    void a_whole_answer_is_one_message_with_thinking_text_and_tool_use_blocks() {
        ParsedOutput answer = new ParsedOutput("Let me look that up.", "The user wants weather.",
                List.of(new ParsedOutput.Call("get_weather", "{\"city\": \"Paris\", \"days\": 2}"),
                        new ParsedOutput.Call("get_time", "")), "tool_calls");
        String body = new String(exchange(false).body(answer, new Usage(50, 40, 6, false), META),
                StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("{\"id\":\"msg_01jq7abcdef\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"qwen\",\"content\":["
                + "{\"type\":\"thinking\",\"thinking\":\"The user wants weather.\",\"signature\":\""
                + ThinkingSignature.of("The user wants weather.") + "\"},"
                + "{\"type\":\"text\",\"text\":\"Let me look that up.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01jq7abcdef_0\",\"name\":\"get_weather\","
                + "\"input\":{\"city\":\"Paris\",\"days\":2},\"caller\":{\"type\":\"direct\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01jq7abcdef_1\",\"name\":\"get_time\",\"input\":{},"
                + "\"caller\":{\"type\":\"direct\"}}],"
                + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":50,"
                + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":40,"
                + "\"output_tokens_details\":{\"thinking_tokens\":6},\"service_tier\":\"standard\"}}");
    }

    @ParameterizedTest
    @CsvSource({"stop, end_turn", "length, max_tokens", "tool_calls, tool_use"})
    void stop_reasons_map_from_the_internal_finish_reason(String finish, String stopReason) {
        String body = new String(exchange(false).body(new ParsedOutput("x", null, List.of(), finish),
                new Usage(1, 1, 0, false), META), StandardCharsets.UTF_8);
        assertThat(body).contains("\"stop_reason\":\"" + stopReason + "\",\"stop_sequence\":null");
    }

    @Test
    void an_empty_answer_has_empty_content() {
        String body = new String(exchange(false).body(new ParsedOutput(null, null, List.of(), "stop"),
                new Usage(1, 0, 0, false), META), StandardCharsets.UTF_8);
        assertThat(body).contains("\"content\":[],\"stop_reason\":\"end_turn\"");
    }

    @Test
    void the_signature_is_stable_for_the_same_thinking_and_differs_for_other_thinking() {
        assertThat(ThinkingSignature.of("abc")).isEqualTo(ThinkingSignature.of(new StringBuilder("abc")))
                .isNotEqualTo(ThinkingSignature.of("abd")).matches("[A-Za-z0-9+/]{43}=");
    }

    @ParameterizedTest
    @CsvSource({"400, invalid_request_error", "401, authentication_error", "403, permission_error",
            "404, not_found_error", "405, invalid_request_error", "413, request_too_large", "422, invalid_request_error",
            "429, rate_limit_error", "500, api_error", "502, api_error", "503, overloaded_error", "504, timeout_error",
            "529, overloaded_error"})
    void error_types_follow_the_status_as_anthropics_do(int status, String type) {
        ApiError e = new ApiError(status, "x", "some_code", null, "Something.", null);
        assertThat(new String(new MessagesDialect().errorBody(e, "req_9"), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"Something.\","
                        + "\"details\":{\"error_code\":\"some_code\"}},"
                        + "\"request_id\":\"req_9\"}");
    }

    @Test
    void error_messages_start_with_the_field_unless_they_name_it() {
        assertThat(AnthropicErrors.message(ApiError.notFound("model_not_found", "model", "The model 'x' does not exist.")))
                .isEqualTo("model: The model 'x' does not exist.");
        assertThat(AnthropicErrors.message(ApiError.invalidRequest("invalid_value", "max_tokens", "'max_tokens' is too "
                + "large: 9999."))).isEqualTo("'max_tokens' is too large: 9999.");
        assertThat(AnthropicErrors.message(ApiError.invalidRequest("invalid_value", "messages[2]", "a tool message must "
                + "answer a tool call"))).isEqualTo("messages[2]: a tool message must answer a tool call");
        assertThat(AnthropicErrors.message(new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null, "Slow down.",
                2L))).isEqualTo("Slow down.");
    }

    @Test
    void a_missing_key_is_reported_in_anthropics_words() {
        assertThat(AnthropicErrors.message(new ApiError(401, "authentication_error", "missing_api_key", null,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", null)))
                .startsWith("x-api-key header is required");
    }
}
