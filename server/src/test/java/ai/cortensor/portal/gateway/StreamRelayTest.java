package ai.cortensor.portal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamRelayTest {
    private final OpenAiShapes shapes = new OpenAiShapes(Route.CHAT, "req_01TEST", 1_700_000_000L, "qwen", false);

    private static InputStream sse(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String frame(String id, String text, String finish) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"" + text
                + "\",\"index\":0,\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
    }

    private static List<String> contents(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("data: ")).map(l -> {
            try {
                JsonNode n = Json.MAPPER.readTree(l.substring(6));
                return n.get("choices").get(0).get("delta").get("content").asText();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void interleaved_miners_are_reduced_to_the_first_stream() {
        String in = ": connected\n\n" + frame("a", "He", null) + frame("b", "XX", null) + frame("a", "llo", null)
                + frame("b", "YY", "stop") + frame("a", "", "stop") + "data: [DONE]\n\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        StreamRelay.Result r = StreamRelay.relay(sse(in), out, shapes);

        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.COMPLETED);
        assertThat(r.text()).isEqualTo("Hello");
        assertThat(r.finishReason()).isEqualTo("stop");
        assertThat(contents(out)).containsExactly("He", "llo");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"role\":\"assistant\"");
    }

    @Test
    void eof_before_done_or_finish_is_a_cut_not_a_clean_end() {
        StreamRelay.Result r = StreamRelay.relay(sse(frame("a", "Hel", null)), new ByteArrayOutputStream(), shapes);
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.ROUTER_CUT);
        assertThat(r.text()).isEqualTo("Hel");
    }

    @Test
    void read_error_mid_stream_is_a_cut_keeping_what_was_delivered() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        StreamRelay.Result r = StreamRelay.relay(new SequenceInputStream(sse(frame("a", "partial", null)), failing),
                new ByteArrayOutputStream(), shapes);
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.ROUTER_CUT);
        assertThat(r.text()).isEqualTo("partial");
        assertThat(r.firstByteNanos()).isNotZero();
    }

    @Test
    void client_gone_stops_the_relay() {
        OutputStream closed = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("broken pipe");
            }
        };
        StreamRelay.Result r = StreamRelay.relay(sse(frame("a", "x", null) + frame("a", "y", null)), closed, shapes);
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.CLIENT_GONE);
        assertThat(r.text()).isEqualTo("x");
    }

    @Test
    void router_usage_in_the_final_frame_is_taken() {
        String in = frame("a", "Hi", null)
                + "data: {\"id\":\"a\",\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1,\"total_tokens\":8}}\n\n"
                + "data: [DONE]\n\n";
        StreamRelay.Result r = StreamRelay.relay(sse(in), new ByteArrayOutputStream(), shapes);
        assertThat(r.promptTokens()).isEqualTo(7);
        assertThat(r.completionTokens()).isEqualTo(1);
        assertThat(r.finishReason()).isEqualTo("length");
    }

    @Test
    void malformed_frames_are_skipped() {
        String in = "data: {not json\n\n" + frame("a", "ok", "stop") + "data: [DONE]\n\n";
        StreamRelay.Result r = StreamRelay.relay(sse(in), new ByteArrayOutputStream(), shapes);
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.COMPLETED);
        assertThat(r.text()).isEqualTo("ok");
    }
}
