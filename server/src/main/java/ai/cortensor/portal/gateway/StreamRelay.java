package ai.cortensor.portal.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * Reads a router's SSE stream and passes the model's text on as it arrives ({@link Deltas}), never buffering the
 * whole response. Lines are split in a byte buffer and each {@code data:} payload is parsed where it lies (no line
 * strings). Multi-miner streams are de-interleaved by locking onto the first frame's {@code id} (or
 * {@code task_id}); frames of other miners are dropped. The outcome says how the stream ended; the delivered
 * text is kept for metering when the router reports no usage.
 */
final class StreamRelay {
    /** A line longer than this (a router that never ends its line) ends the stream as a cut. */
    static final int MAX_LINE = 4 << 20;
    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};

    enum Outcome { COMPLETED, ROUTER_CUT, ROUTER_TIMEOUT, CLIENT_GONE }

    /** The relay's result; {@code firstByteNanos} is 0 when no content reached the client. */
    record Result(Outcome outcome, String text, String finishReason, Integer promptTokens, Integer completionTokens,
                  long firstByteNanos) {
        /** The same result, ended by the client going away (it left while the last events were written). */
        Result clientGone() {
            return new Result(Outcome.CLIENT_GONE, text, null, promptTokens, completionTokens, firstByteNanos);
        }
    }

    /** Where the model's text goes as it arrives; false when the client has gone away. */
    @FunctionalInterface
    interface Deltas {
        boolean text(String text, boolean first);
    }

    private final InputStream upstream;
    private final Deltas client;
    private final Runnable beforeRead;
    private byte[] buf = new byte[4096]; // grows only for a line longer than this
    private int start;
    private int end;
    private final StringBuilder text = new StringBuilder();
    private String lockedKey;
    private String finish;
    private Integer pt;
    private Integer ct;
    private long firstByte;

    private StreamRelay(InputStream upstream, Deltas client, Runnable beforeRead) {
        this.upstream = upstream;
        this.client = client;
        this.beforeRead = beforeRead;
    }

    static Result relay(InputStream upstream, Deltas client) {
        return relay(upstream, client, () -> { });
    }

    /** Relays the stream; {@code beforeRead} runs before every read of the router's stream (which may wait). */
    static Result relay(InputStream upstream, Deltas client, Runnable beforeRead) {
        return new StreamRelay(upstream, client, beforeRead).run();
    }

    private Result run() {
        try {
            int scanFrom = start;
            while (true) {
                int nl = indexOf((byte) '\n', scanFrom, end);
                if (nl < 0) {
                    scanFrom = end - start;
                    if (!fill()) {
                        return last(); // EOF
                    }
                    scanFrom += start;
                    continue;
                }
                int lineEnd = nl > start && buf[nl - 1] == '\r' ? nl - 1 : nl;
                int lineStart = start;
                start = nl + 1;
                scanFrom = start;
                switch (line(lineStart, lineEnd)) {
                    case DONE -> {
                        return end(true);
                    }
                    case GONE -> {
                        return result(Outcome.CLIENT_GONE, null);
                    }
                    case MORE -> { }
                }
            }
        } catch (SocketTimeoutException e) {
            return result(Outcome.ROUTER_TIMEOUT, null);
        } catch (IOException e) {
            return result(Outcome.ROUTER_CUT, null);
        }
    }

    private enum Line { MORE, DONE, GONE }

    /** At EOF: a last line without its line end still counts (as a line reader would return it). */
    private Result last() {
        int from = start;
        int to = end > start && buf[end - 1] == '\r' ? end - 1 : end;
        start = end;
        return switch (from < to ? line(from, to) : Line.MORE) {
            case DONE -> end(true);
            case GONE -> result(Outcome.CLIENT_GONE, null);
            case MORE -> end(false);
        };
    }

    private Line line(int from, int to) {
        if (to - from < DATA.length || !startsWith(from, DATA)) {
            return Line.MORE; // blank separators, comments (": keep-alive"), event/id fields
        }
        int a = from + DATA.length;
        while (a < to && isSpace(buf[a])) {
            a++;
        }
        int b = to;
        while (b > a && isSpace(buf[b - 1])) {
            b--;
        }
        if (b - a == DONE.length && startsWith(a, DONE)) {
            return Line.DONE;
        }
        RouterReply frame;
        try {
            frame = RouterReply.parse(buf, a, b - a);
        } catch (IOException e) {
            return Line.MORE; // a malformed frame is dropped, not fatal
        }
        if (lockedKey == null) {
            lockedKey = frame.streamKey();
        } else if (frame.streamKey() != null && !lockedKey.equals(frame.streamKey())) {
            return Line.MORE; // another miner's frame
        }
        if (frame.completionTokens() != null) {
            pt = frame.promptTokens();
            ct = frame.completionTokens();
        }
        if (!frame.text().isEmpty()) {
            boolean first = firstByte == 0;
            if (first) {
                firstByte = System.nanoTime();
            }
            text.append(frame.text());
            if (!client.text(frame.text(), first)) {
                return Line.GONE;
            }
        }
        if (frame.finishReason() != null) {
            finish = frame.finishReason();
        }
        return Line.MORE;
    }

    /** The stream ended: with {@code [DONE]}, or at EOF (a clean end only if a finish reason came first). */
    private Result end(boolean done) {
        if (!done && finish == null) {
            return result(Outcome.ROUTER_CUT, null);
        }
        return result(Outcome.COMPLETED, finish == null ? "stop" : finish);
    }

    private Result result(Outcome outcome, String finishReason) {
        return new Result(outcome, text.toString(), finishReason, pt, ct, firstByte);
    }

    /**
     * Reads more bytes after the unconsumed ones, moving them to the front or growing the buffer (up to
     * {@link #MAX_LINE}) when it is full; false at EOF.
     */
    private boolean fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buf.length) {
            if (buf.length >= MAX_LINE) {
                throw new IOException("router stream line over " + MAX_LINE + " bytes");
            }
            buf = java.util.Arrays.copyOf(buf, Math.min(MAX_LINE, buf.length * 2));
        }
        beforeRead.run();
        int n = upstream.read(buf, end, buf.length - end);
        if (n < 0) {
            return false;
        }
        end += n;
        return true;
    }

    private boolean startsWith(int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (buf[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
