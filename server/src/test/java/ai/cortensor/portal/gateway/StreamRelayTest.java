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

    @Test
    void crlf_lines_openai_delta_frames_and_a_last_done_without_line_end_complete_the_stream() {
        String in = "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"}}]}\r\n\r\n"
                + "data: {\"id\":\"c\",\"choices\":[{\"message\":{\"content\":\"!\"},\"finish_reason\":null}]}\r\n\r\n"
                + "data: [DONE]";
        StreamRelay.Result r = StreamRelay.relay(sse(in), collect);
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.COMPLETED);
        assertThat(texts).containsExactly("Hi", "!");
        assertThat(r.finishReason()).isEqualTo("stop");
    }

    @Test
    void a_line_that_never_ends_is_a_cut_after_a_bounded_read() {
        InputStream endless = new InputStream() {
            long served;

            @Override
            public int read() {
                return served++ < 64L * StreamRelay.MAX_LINE ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                served += len;
                return served < 64L * StreamRelay.MAX_LINE ? len : -1;
            }
        };
        StreamRelay.Result r = StreamRelay.relay(new SequenceInputStream(sse(frame("a", "ok", null)), endless),
                collect);
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.ROUTER_CUT);
        assertThat(r.text()).isEqualTo("ok");
    }

    @Test
    void text_wins_over_message_content_and_usage_needs_completion_tokens() {
        String in = "data: {\"choices\":[{\"message\":{\"content\":\"no\"},\"text\":\"yes\"},{\"text\":\"second\"}],"
                + "\"usage\":{\"prompt_tokens\":3}}\n\n"
                + "data: {\"choices\":[{\"text\":\"\",\"finish_reason\":\"stop\"}],\"usage\":{\"completion_tokens\":2}}\n\n";
        StreamRelay.Result r = StreamRelay.relay(sse(in), collect);
        assertThat(texts).containsExactly("yes");
        assertThat(r.outcome()).isEqualTo(StreamRelay.Outcome.COMPLETED);
        assertThat(r.promptTokens()).isZero();
        assertThat(r.completionTokens()).isEqualTo(2);
    }
}
