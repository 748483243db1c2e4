package ai.cortensor.portal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Any bytes a router may stream: the relay ends with an outcome and never throws; the text it passes on is exactly
 * the text it reports, at most one character per byte read; and the result is the same whatever sizes the reads
 * return (a TCP stream splits lines and UTF-8 sequences anywhere). A client that leaves stops the relay at once.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamRelayFuzzTest {
    private static final int[] READ_SIZES = {1, 2, 3, 5, 8, 13, 4096};

    @FuzzTest
    void anyStreamEndsWithAnOutcomeAndRelaysExactlyItsText(byte[] stream) {
        List<String> deltas = new ArrayList<>();
        StreamRelay.Result whole = StreamRelay.relay(new ByteArrayInputStream(stream), (text, first) -> {
            assertThat(first).as("first flag").isEqualTo(deltas.isEmpty());
            deltas.add(text);
            return true;
        });
        assertThat(whole.outcome()).isIn(StreamRelay.Outcome.COMPLETED, StreamRelay.Outcome.ROUTER_CUT);
        assertThat(whole.text()).isEqualTo(String.join("", deltas));
        assertThat(whole.text().length()).isLessThanOrEqualTo(stream.length);
        assertThat(whole.firstByteNanos() != 0).isEqualTo(!deltas.isEmpty());
        assertThat(whole.outcome() == StreamRelay.Outcome.COMPLETED).isEqualTo(whole.finishReason() != null);

        StreamRelay.Result trickled = StreamRelay.relay(new Trickle(stream), (text, first) -> true);
        assertThat(trickled).usingRecursiveComparison().ignoringFields("firstByteNanos").isEqualTo(whole);

        int[] calls = {0};
        StreamRelay.Result gone = StreamRelay.relay(new ByteArrayInputStream(stream), (text, first) -> ++calls[0] < 1);
        if (!deltas.isEmpty()) {
            assertThat(gone.outcome()).isEqualTo(StreamRelay.Outcome.CLIENT_GONE);
            assertThat(calls[0]).isEqualTo(1);
            assertThat(gone.text()).isEqualTo(deltas.get(0));
        }
    }

    /** Returns the bytes in reads of varying small sizes. */
    private static final class Trickle extends InputStream {
        private final byte[] bytes;
        private int at;
        private int reads;

        Trickle(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return at < bytes.length ? bytes[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, READ_SIZES[reads++ % READ_SIZES.length]), bytes.length - at);
            System.arraycopy(bytes, at, b, off, n);
            at += n;
            return n;
        }
    }
}
