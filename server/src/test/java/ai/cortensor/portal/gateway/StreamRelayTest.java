package ai.cortensor.portal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamRelayTest {
    /** The texts passed on, and whether each was flagged as the first. */
    private final List<String> texts = new ArrayList<>();
    private final List<Boolean> firsts = new ArrayList<>();
    private final StreamRelay.Deltas collect = (text, first) -> {
        texts.add(text);
        firsts.add(first);
        return true;
    };

    private static InputStream sse(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String frame(String id, String text, String finish) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"" + text
                + "\",\"index\":0,\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
    }

    @Test
    void interleaved_miners_are_reduced_to_the_first_stream() {
        String in = ": connected\n\n" + frame("a", "He", null) + frame("b", "XX", null) + frame("a", "llo", null)
                + frame("b", "YY", "stop") + frame("a", "", "stop") + "data: [DONE]\n\n";
        StreamRelay.Result r = StreamRelay.relay(sse(in), collect);

        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.COMPLETED);
        assertThat(r.text()).isEqualTo("Hello");
        assertThat(r.finishReason()).isEqualTo("stop");
        assertThat(texts).containsExactly("He", "llo");
        assertThat(firsts).containsExactly(true, false);
    }

    @Test
    void eof_before_done_or_finish_is_a_cut_not_a_clean_end() {
        StreamRelay.Result r = StreamRelay.relay(sse(frame("a", "Hel", null)), collect);
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
                collect);
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.ROUTER_CUT);
        assertThat(r.text()).isEqualTo("partial");
        assertThat(r.firstByteNanos()).isNotZero();
    }

    @Test
    void client_gone_stops_the_relay() {
        StreamRelay.Deltas gone = (text, first) -> {
            texts.add(text);
            return false;
        };
        StreamRelay.Result r = StreamRelay.relay(sse(frame("a", "x", null) + frame("a", "y", null)), gone);
        assertThat(texts).containsExactly("x");
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.CLIENT_GONE);
        assertThat(r.text()).isEqualTo("x");
    }

    @Test
    void router_usage_in_the_final_frame_is_taken() {
        String in = frame("a", "Hi", null)
                + "data: {\"id\":\"a\",\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1,\"total_tokens\":8}}\n\n"
                + "data: [DONE]\n\n";
        StreamRelay.Result r = StreamRelay.relay(sse(in), collect);
        assertThat(r.promptTokens()).isEqualTo(7);
        assertThat(r.completionTokens()).isEqualTo(1);
        assertThat(r.finishReason()).isEqualTo("length");
    }

    @Test
    void malformed_frames_are_skipped() {
        String in = "data: {not json\n\n" + frame("a", "ok", "stop") + "data: [DONE]\n\n";
        StreamRelay.Result r = StreamRelay.relay(sse(in), collect);
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.COMPLETED);
        assertThat(r.text()).isEqualTo("ok");
    }
}
