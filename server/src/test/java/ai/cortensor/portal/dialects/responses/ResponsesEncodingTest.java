package ai.cortensor.portal.dialects.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.gateway.EventStream;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.StreamEncoder;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers in, the exact response object and event frames out. */
class ResponsesEncodingTest {
    private static final ResponseMeta META = new ResponseMeta("req_01JTESTREQ", Instant.ofEpochSecond(1_760_000_000L),
            "qwen");
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochSecond(1_760_000_002L));
    private static final Usage USAGE = new Usage(12, 30, 9, false);
    private static final String PLAIN = "{\"model\":\"qwen\",\"input\":\"hi\",\"store\":false}";

    private static ResponsesExchange exchange(String json) {
        return (ResponsesExchange) ResponsesParserTest.dialect(true, CLOCK).parse(json.getBytes(StandardCharsets.UTF_8),
                ResponsesParserTest.CALLER);
    }

    private static String body(String request, ParsedOutput answer) {
        return new String(exchange(request).body(answer, USAGE, META), StandardCharsets.UTF_8);
    }

    /** The settings part of a response object as {@link #PLAIN} has it, from {@code parallel_tool_calls} on. */
    private static String plainSettings(String usage) {
        return "\"parallel_tool_calls\":true,\"previous_response_id\":null,\"prompt_cache_key\":null,"
                + "\"reasoning\":{\"effort\":null,\"summary\":null},\"safety_identifier\":null,\"service_tier\":\"default\","
                + "\"store\":false,\"temperature\":null,\"text\":{\"format\":{\"type\":\"text\"},\"verbosity\":\"medium\"},"
                + "\"tool_choice\":\"auto\",\"tools\":[],\"top_logprobs\":0,\"top_p\":null,\"truncation\":\"disabled\","
                + "\"usage\":" + usage + ",\"user\":null,\"metadata\":{}}";
    }

    private static final String USAGE_JSON = "{\"input_tokens\":12,\"input_tokens_details\":{\"cached_tokens\":0,"
            + "\"cache_write_tokens\":0},\"output_tokens\":30,\"output_tokens_details\":{\"reasoning_tokens\":9},"
            + "\"total_tokens\":42}";

    // ---- whole bodies -----------------------------------------------------------------------------------------

    @Test
    void a_reasoned_answer_is_a_reasoning_item_and_a_message_with_usage() {
        String body = body(PLAIN, new ParsedOutput("Hello!", "The user greets.", List.of(), "stop"));

        assertThat(body).isEqualTo("{\"id\":\"resp_01jtestreq\",\"object\":\"response\",\"created_at\":1760000000,"
                + "\"status\":\"completed\",\"background\":false,\"completed_at\":1760000002,\"error\":null,"
                + "\"incomplete_details\":null,\"instructions\":null,\"max_output_tokens\":null,\"max_tool_calls\":null,"
                + "\"model\":\"qwen\",\"output\":["
                + "{\"id\":\"rs_01jtestreq_0\",\"type\":\"reasoning\",\"summary\":[],\"content\":[{\"type\":\"reasoning_text\","
                + "\"text\":\"The user greets.\"}],\"status\":\"completed\"},"
                + "{\"id\":\"msg_01jtestreq_1\",\"type\":\"message\",\"status\":\"completed\",\"content\":[{\"type\":"
                + "\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"Hello!\"}],\"role\":\"assistant\"}],"
                + plainSettings(USAGE_JSON));
    }

    @Test
    void tool_calls_are_function_call_items_with_stable_call_ids() {
        String body = body(PLAIN, new ParsedOutput(null, null, List.of(
                new ParsedOutput.Call("get_weather", "{\"city\":\"Oslo\"}"),
                new ParsedOutput.Call("get_time", "{}")), "tool_calls"));

        JsonNode output = tree(body).get("output");
        assertThat(output.toString()).isEqualTo("[{\"id\":\"fc_01jtestreq_0\",\"type\":\"function_call\",\"status\":"
                + "\"completed\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\",\"call_id\":\"call_01jtestreq_0\","
                + "\"name\":\"get_weather\"},{\"id\":\"fc_01jtestreq_1\",\"type\":\"function_call\",\"status\":\"completed\","
                + "\"arguments\":\"{}\",\"call_id\":\"call_01jtestreq_1\",\"name\":\"get_time\"}]");
        assertThat(META.callId("call_", 1)).isEqualTo("call_01jtestreq_1");
        assertThat(tree(body).get("status").asText()).isEqualTo("completed");
    }

    @Test
    void an_answer_cut_at_the_output_limit_is_incomplete_with_its_reason() {
        JsonNode r = tree(body(PLAIN, new ParsedOutput("Once upon a", null, List.of(), "length")));

        assertThat(r.get("status").asText()).isEqualTo("incomplete");
        assertThat(r.get("incomplete_details").toString()).isEqualTo("{\"reason\":\"max_output_tokens\"}");
        assertThat(r.get("output").get(0).get("status").asText()).isEqualTo("incomplete");
        assertThat(r.get("output").get(0).get("content").get(0).get("text").asText()).isEqualTo("Once upon a");
    }

    @Test
    void a_cut_during_reasoning_leaves_only_the_incomplete_reasoning_item() {
        JsonNode r = tree(body(PLAIN, new ParsedOutput(null, "Let me think about", List.of(), "length")));

        assertThat(r.get("output")).hasSize(1);
        assertThat(r.get("output").get(0).get("type").asText()).isEqualTo("reasoning");
        assertThat(r.get("output").get(0).get("status").asText()).isEqualTo("incomplete");
    }

    @Test
    void an_empty_answer_is_an_empty_message() {
        JsonNode r = tree(body(PLAIN, new ParsedOutput(null, null, List.of(), "stop")));

        assertThat(r.get("output").toString()).isEqualTo("[{\"id\":\"msg_01jtestreq_0\",\"type\":\"message\","
                + "\"status\":\"completed\",\"content\":[{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],"
                + "\"text\":\"\"}],\"role\":\"assistant\"}]");
    }

    @Test
    void the_response_object_echoes_the_request_settings() {
        JsonNode r = tree(body("""
                {"model":"qwen","input":"hi","store":false,"instructions":"Be brief.","max_output_tokens":50,
                 "temperature":0.2,"top_p":0.9,"parallel_tool_calls":false,"reasoning":{"effort":"low"},
                 "tools":[{"type":"function","name":"f","parameters":{"type":"object","properties":{}}}],
                 "tool_choice":"required","text":{"format":{"type":"json_object"}},"metadata":{"k":"v"},
                 "user":"u","safety_identifier":"s","max_tool_calls":2}""",
                new ParsedOutput(null, null, List.of(new ParsedOutput.Call("f", "{}")), "tool_calls")));

        assertThat(r.get("instructions").asText()).isEqualTo("Be brief.");
        assertThat(r.get("max_output_tokens").asInt()).isEqualTo(50);
        assertThat(r.get("max_tool_calls").asInt()).isEqualTo(2);
        assertThat(r.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(r.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(r.get("parallel_tool_calls").asBoolean()).isFalse();
        assertThat(r.get("reasoning").toString()).isEqualTo("{\"effort\":\"low\",\"summary\":null}");
        assertThat(r.get("tools").toString()).isEqualTo("[{\"type\":\"function\",\"name\":\"f\",\"description\":null,"
                + "\"parameters\":{\"type\":\"object\",\"properties\":{}},\"strict\":true}]");
        assertThat(r.get("tool_choice").asText()).isEqualTo("required");
        assertThat(r.get("text").toString()).isEqualTo("{\"format\":{\"type\":\"json_object\"},\"verbosity\":\"medium\"}");
        assertThat(r.get("metadata").toString()).isEqualTo("{\"k\":\"v\"}");
        assertThat(r.get("user").asText()).isEqualTo("u");
        assertThat(r.get("safety_identifier").asText()).isEqualTo("s");
        assertThat(r.get("store").asBoolean()).isFalse();
    }

    // ---- streams ----------------------------------------------------------------------------------------------

    private record Frame(String event, String data) {
        JsonNode json() {
            return tree(data);
        }
    }

    /** A stream over a buffer, and the frames written to it. */
    private static final class Capture {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final StreamEncoder encoder;

        Capture(String request) {
            encoder = exchange(request).stream(META, new EventStream(() -> buffer));
        }

        List<Frame> frames() {
            List<Frame> out = new ArrayList<>();
            String all = buffer.toString(StandardCharsets.UTF_8);
            assertThat(all).endsWith("\n\n");
            for (String block : all.split("\n\n")) {
                String[] lines = block.split("\n");
                assertThat(lines).hasSize(2);
                assertThat(lines[0]).startsWith("event: ");
                assertThat(lines[1]).startsWith("data: ");
                out.add(new Frame(lines[0].substring(7), lines[1].substring(6)));
            }
            return out;
        }

        /** Checks the framing every event shares, and returns the events' data without the two lifecycle openers. */
        List<String> events() {
            List<Frame> frames = frames();
            for (int i = 0; i < frames.size(); i++) {
                JsonNode d = frames.get(i).json();
                assertThat(d.get("type").asText()).as("event name = type").isEqualTo(frames.get(i).event());
                assertThat(d.get("sequence_number").asInt()).as("sequence_number of event " + i).isEqualTo(i);
            }
            assertThat(frames.get(0).event()).isEqualTo("response.created");
            assertThat(frames.get(1).event()).isEqualTo("response.in_progress");
            for (int i = 0; i < 2; i++) {
                JsonNode r = frames.get(i).json().get("response");
                assertThat(r.get("status").asText()).isEqualTo("in_progress");
                assertThat(r.get("output")).isEmpty();
                assertThat(r.get("usage").isNull()).isTrue();
                assertThat(r.get("id").asText()).isEqualTo("resp_01jtestreq");
            }
            return frames.subList(2, frames.size()).stream().map(Frame::data).toList();
        }

        JsonNode last() {
            List<Frame> f = frames();
            return f.get(f.size() - 1).json();
        }
    }

    @Test
    void nothing_is_written_before_the_first_event() {
        Capture c = new Capture(PLAIN);
        assertThat(c.buffer.size()).isZero();
    }

    @Test
    void a_text_answer_streams_its_message_item_and_completes() {
        Capture c = new Capture(PLAIN);
        c.encoder.content("Hel");
        c.encoder.content("lo");
        c.encoder.finish("stop", USAGE);

        assertThat(c.events()).containsExactly(
                "{\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":0,\"item\":{\"id\":"
                        + "\"msg_01jtestreq_0\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}}",
                "{\"type\":\"response.content_part.added\",\"sequence_number\":3,\"item_id\":\"msg_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],"
                        + "\"logprobs\":[],\"text\":\"\"}}",
                "{\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"item_id\":\"msg_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"delta\":\"Hel\",\"logprobs\":[]}",
                "{\"type\":\"response.output_text.delta\",\"sequence_number\":5,\"item_id\":\"msg_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"delta\":\"lo\",\"logprobs\":[]}",
                "{\"type\":\"response.output_text.done\",\"sequence_number\":6,\"item_id\":\"msg_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"text\":\"Hello\",\"logprobs\":[]}",
                "{\"type\":\"response.content_part.done\",\"sequence_number\":7,\"item_id\":\"msg_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],"
                        + "\"logprobs\":[],\"text\":\"Hello\"}}",
                "{\"type\":\"response.output_item.done\",\"sequence_number\":8,\"output_index\":0,\"item\":{\"id\":"
                        + "\"msg_01jtestreq_0\",\"type\":\"message\",\"status\":\"completed\",\"content\":[{\"type\":"
                        + "\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"Hello\"}],\"role\":\"assistant\"}}",
                "{\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{\"id\":\"resp_01jtestreq\","
                        + "\"object\":\"response\",\"created_at\":1760000000,\"status\":\"completed\",\"background\":false,"
                        + "\"completed_at\":1760000002,\"error\":null,\"incomplete_details\":null,\"instructions\":null,"
                        + "\"max_output_tokens\":null,\"max_tool_calls\":null,\"model\":\"qwen\",\"output\":[{\"id\":"
                        + "\"msg_01jtestreq_0\",\"type\":\"message\",\"status\":\"completed\",\"content\":[{\"type\":"
                        + "\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"Hello\"}],\"role\":\"assistant\"}],"
                        + plainSettings(USAGE_JSON) + "}");
    }

    @Test
    void reasoning_streams_as_a_reasoning_item_with_reasoning_text_before_the_message() {
        Capture c = new Capture(PLAIN);
        c.encoder.reasoning("Think");
        c.encoder.reasoning("ing.");
        c.encoder.content("Hi");
        c.encoder.finish("stop", USAGE);

        List<String> e = c.events();
        assertThat(e.subList(0, 7)).containsExactly(
                "{\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":0,\"item\":{\"id\":"
                        + "\"rs_01jtestreq_0\",\"type\":\"reasoning\",\"summary\":[],\"content\":[],\"status\":\"in_progress\"}}",
                "{\"type\":\"response.content_part.added\",\"sequence_number\":3,\"item_id\":\"rs_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"reasoning_text\",\"text\":\"\"}}",
                "{\"type\":\"response.reasoning_text.delta\",\"sequence_number\":4,\"item_id\":\"rs_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"delta\":\"Think\"}",
                "{\"type\":\"response.reasoning_text.delta\",\"sequence_number\":5,\"item_id\":\"rs_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"delta\":\"ing.\"}",
                "{\"type\":\"response.reasoning_text.done\",\"sequence_number\":6,\"item_id\":\"rs_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"text\":\"Thinking.\"}",
                "{\"type\":\"response.content_part.done\",\"sequence_number\":7,\"item_id\":\"rs_01jtestreq_0\","
                        + "\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"reasoning_text\",\"text\":\"Thinking.\"}}",
                "{\"type\":\"response.output_item.done\",\"sequence_number\":8,\"output_index\":0,\"item\":{\"id\":"
                        + "\"rs_01jtestreq_0\",\"type\":\"reasoning\",\"summary\":[],\"content\":[{\"type\":\"reasoning_text\","
                        + "\"text\":\"Thinking.\"}],\"status\":\"completed\"}}");
        assertThat(types(e.subList(7, e.size()))).containsExactly("response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.completed");
        assertThat(tree(e.get(7)).get("output_index").asInt()).isEqualTo(1);
        assertThat(tree(e.get(7)).get("item").get("id").asText()).isEqualTo("msg_01jtestreq_1");
        assertThat(c.last().get("response").toString())
                .as("the completed response is the body of the same answer")
                .isEqualTo(body(PLAIN, new ParsedOutput("Hi", "Thinking.", List.of(), "stop")));
    }

    @Test
    void a_tool_call_streams_its_arguments_and_ends_the_message_before_it() {
        Capture c = new Capture(PLAIN);
        c.encoder.content("Checking.");
        c.encoder.toolCallStart(0, "get_weather");
        c.encoder.toolCallArguments(0, "{\"city\":");
        c.encoder.toolCallArguments(0, "\"Oslo\"}");
        c.encoder.toolCallStart(1, "get_time");
        c.encoder.toolCallArguments(1, "{}");
        c.encoder.finish("tool_calls", USAGE);

        List<String> e = c.events();
        assertThat(types(e)).containsExactly("response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed");
        assertThat(e.subList(6, 11)).containsExactly(
                "{\"type\":\"response.output_item.added\",\"sequence_number\":8,\"output_index\":1,\"item\":{\"id\":"
                        + "\"fc_01jtestreq_0\",\"type\":\"function_call\",\"status\":\"in_progress\",\"arguments\":\"\","
                        + "\"call_id\":\"call_01jtestreq_0\",\"name\":\"get_weather\"}}",
                "{\"type\":\"response.function_call_arguments.delta\",\"sequence_number\":9,\"item_id\":\"fc_01jtestreq_0\","
                        + "\"output_index\":1,\"delta\":\"{\\\"city\\\":\"}",
                "{\"type\":\"response.function_call_arguments.delta\",\"sequence_number\":10,\"item_id\":\"fc_01jtestreq_0\","
                        + "\"output_index\":1,\"delta\":\"\\\"Oslo\\\"}\"}",
                "{\"type\":\"response.function_call_arguments.done\",\"sequence_number\":11,\"item_id\":\"fc_01jtestreq_0\","
                        + "\"output_index\":1,\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}",
                "{\"type\":\"response.output_item.done\",\"sequence_number\":12,\"output_index\":1,\"item\":{\"id\":"
                        + "\"fc_01jtestreq_0\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":"
                        + "\"{\\\"city\\\":\\\"Oslo\\\"}\",\"call_id\":\"call_01jtestreq_0\",\"name\":\"get_weather\"}}");
        assertThat(tree(e.get(11)).get("output_index").asInt()).isEqualTo(2);
        assertThat(c.last().get("response").toString()).isEqualTo(body(PLAIN, new ParsedOutput("Checking.", null,
                List.of(new ParsedOutput.Call("get_weather", "{\"city\":\"Oslo\"}"),
                        new ParsedOutput.Call("get_time", "{}")), "tool_calls")));
    }

    @Test
    void a_cut_at_the_output_limit_ends_the_open_item_incomplete_and_the_stream_with_response_incomplete() {
        Capture c = new Capture(PLAIN);
        c.encoder.content("Once upon a");
        c.encoder.finish("length", USAGE);

        List<String> e = c.events();
        assertThat(types(e)).containsExactly("response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.incomplete");
        assertThat(tree(e.get(5)).get("item").get("status").asText()).isEqualTo("incomplete");
        JsonNode r = tree(e.get(6)).get("response");
        assertThat(r.get("status").asText()).isEqualTo("incomplete");
        assertThat(r.get("incomplete_details").toString()).isEqualTo("{\"reason\":\"max_output_tokens\"}");
        assertThat(r.get("usage").toString()).isEqualTo(USAGE_JSON);
        assertThat(r.toString()).isEqualTo(body(PLAIN, new ParsedOutput("Once upon a", null, List.of(), "length")));
    }

    @Test
    void a_router_failure_mid_stream_is_an_error_event_then_response_failed_with_the_partial_output() {
        Capture c = new Capture(PLAIN);
        c.encoder.content("Par");
        c.encoder.fail(ApiError.server(502, "router_stream_interrupted",
                "The inference backend stopped before the response was complete."), new Usage(12, 2, 0, false));

        List<String> e = c.events();
        assertThat(types(e)).containsExactly("response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "error", "response.failed");
        assertThat(e.get(3)).isEqualTo("{\"type\":\"error\",\"sequence_number\":5,\"code\":\"router_stream_interrupted\","
                + "\"message\":\"The inference backend stopped before the response was complete.\",\"param\":null,"
                + "\"request_id\":\"req_01JTESTREQ\"}");
        JsonNode r = tree(e.get(4)).get("response");
        assertThat(r.get("status").asText()).isEqualTo("failed");
        assertThat(r.get("error").toString()).isEqualTo("{\"code\":\"server_error\",\"message\":\"The inference backend "
                + "stopped before the response was complete.\"}");
        assertThat(r.get("completed_at").isNull()).isTrue();
        assertThat(r.get("output").toString()).isEqualTo("[{\"id\":\"msg_01jtestreq_0\",\"type\":\"message\",\"status\":"
                + "\"incomplete\",\"content\":[{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":"
                + "\"Par\"}],\"role\":\"assistant\"}]");
        assertThat(r.get("usage").get("output_tokens").asInt()).isEqualTo(2);
        for (String event : e) {
            assertThat(tree(event).has("error")).as("no top-level 'error' member (the SDKs would throw on it)")
                    .isFalse();
        }
    }

    @Test
    void an_answer_without_any_output_streams_an_empty_message() {
        Capture c = new Capture(PLAIN);
        c.encoder.finish("stop", USAGE);

        List<String> e = c.events();
        assertThat(types(e)).containsExactly("response.output_item.added", "response.content_part.added",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed");
        assertThat(tree(e.get(5)).get("response").toString())
                .isEqualTo(body(PLAIN, new ParsedOutput(null, null, List.of(), "stop")));
    }

    @Test
    void arguments_for_a_call_that_is_not_open_are_a_bug() {
        Capture c = new Capture(PLAIN);
        c.encoder.toolCallStart(0, "f");
        c.encoder.toolCallStart(1, "g");
        assertThatThrownBy(() -> c.encoder.toolCallArguments(0, "{}")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void the_error_body_and_the_error_event_carry_the_request_id() {
        ResponsesDialect d = ResponsesParserTest.dialect(true);
        ApiError e = ApiError.notFound("previous_response_not_found", "previous_response_id", "Previous response with "
                + "id 'resp_x' not found.");
        assertThat(new String(d.errorBody(e, "req_1"), StandardCharsets.UTF_8)).isEqualTo("{\"error\":{\"message\":"
                + "\"Previous response with id 'resp_x' not found.\",\"type\":\"invalid_request_error\",\"param\":"
                + "\"previous_response_id\",\"code\":\"previous_response_not_found\",\"request_id\":\"req_1\"}}");
        assertThat(new String(ResponsesStream.errorEvent(e, "req_1", 0), StandardCharsets.UTF_8)).isEqualTo("event: error\ndata: "
                + "{\"type\":\"error\",\"sequence_number\":0,\"code\":\"previous_response_not_found\",\"message\":"
                + "\"Previous response with id 'resp_x' not found.\",\"param\":\"previous_response_id\",\"request_id\":"
                + "\"req_1\"}\n\n");
    }

    private static List<String> types(List<String> events) {
        return events.stream().map(e -> tree(e).get("type").asText()).toList();
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
