package ai.cortensor.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;

/**
 * Incremental HTTP/1.1 response parser: status line, headers, then a {@code Content-Length}, chunked or
 * read-until-close body. Bytes are fed as they arrive; {@link #feed} says when the response is complete. It can
 * watch the body for a marker (e.g. the first token's text) and report when it first went past; with a marker it
 * also counts the body's SSE events ({@code data:} lines: token frames plus the stream's few bookkeeping events).
 */
final class ResponseParser {
    private enum State { STATUS, HEADERS, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILERS, UNTIL_CLOSE, DONE }

    private final byte[] marker;
    private final StringBuilder line = new StringBuilder(128);
    private State state;
    private long remaining;
    int status;
    boolean chunked;
    boolean close;
    long contentLength;
    long bodyBytes;
    /** When the marker first went past in the body, else 0. */
    long markerAtNanos;
    private int matched;
    /** SSE {@code data:} events seen in the body so far (only with a marker: streams). */
    long frames;
    private long lastFrameNanos;
    private int frameMatched;
    /** When set, the time between consecutive events of one response is recorded here (nanoseconds). */
    Histogram gaps;
    private static final byte[] FRAME = ascii("data:");

    ResponseParser(byte[] marker) {
        this.marker = marker;
        reset();
    }

    void reset() {
        state = State.STATUS;
        line.setLength(0);
        status = 0;
        chunked = false;
        close = false;
        contentLength = -1;
        bodyBytes = 0;
        markerAtNanos = 0;
        matched = 0;
        remaining = 0;
        frames = 0;
        lastFrameNanos = 0;
        frameMatched = 0;
    }

    boolean readsUntilClose() {
        return state == State.UNTIL_CLOSE;
    }

    /** Consumes bytes of {@code buf}; true once the response is complete (the rest of {@code buf} is left). */
    boolean feed(ByteBuffer buf, long nowNanos) {
        while (buf.hasRemaining()) {
            switch (state) {
                case STATUS, HEADERS, CHUNK_SIZE, TRAILERS -> {
                    if (readLine(buf)) {
                        onLine();
                        line.setLength(0);
                        if (state == State.DONE) {
                            return true;
                        }
                    }
                }
                case FIXED, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, buf.remaining());
                    body(buf, n, nowNanos);
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == State.FIXED) {
                            state = State.DONE;
                            return true;
                        }
                        state = State.CHUNK_CRLF;
                        remaining = 2;
                    }
                }
                case CHUNK_CRLF -> {
                    buf.get();
                    if (--remaining == 0) {
                        state = State.CHUNK_SIZE;
                    }
                }
                case UNTIL_CLOSE -> body(buf, buf.remaining(), nowNanos);
                case DONE -> {
                    return true;
                }
            }
        }
        return state == State.DONE;
    }

    /** For a read-until-close body: the peer closed, so the response is complete. */
    boolean endOfStream() {
        if (state == State.UNTIL_CLOSE) {
            state = State.DONE;
            return true;
        }
        return false;
    }

    private void body(ByteBuffer buf, int n, long nowNanos) {
        bodyBytes += n;
        if (marker == null) {
            buf.position(buf.position() + n);
            return;
        }
        for (int i = 0; i < n; i++) {
            byte b = buf.get();
            // "data:" and the marker have no repeated prefix, so a mismatch restarts the match exactly
            if (b == FRAME[frameMatched]) {
                if (++frameMatched == FRAME.length) {
                    frameMatched = 0;
                    frames++;
                    if (gaps != null && lastFrameNanos != 0) {
                        gaps.recordValue(Math.max(0, nowNanos - lastFrameNanos));
                    }
                    lastFrameNanos = nowNanos;
                }
            } else {
                frameMatched = b == FRAME[0] ? 1 : 0;
            }
            if (markerAtNanos != 0) {
                continue;
            }
            if (b == marker[matched]) {
                if (++matched == marker.length) {
                    markerAtNanos = nowNanos;
                }
            } else {
                matched = b == marker[0] ? 1 : 0;
            }
        }
    }

    /** Appends to {@link #line} up to and excluding CRLF; true when the line is complete. */
    private boolean readLine(ByteBuffer buf) {
        while (buf.hasRemaining()) {
            char c = (char) (buf.get() & 0xff);
            if (c == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return true;
            }
            line.append(c);
            if (line.length() > 65536) {
                throw new IllegalStateException("header line too long");
            }
        }
        return false;
    }

    private void onLine() {
        switch (state) {
            case STATUS -> {
                if (line.length() < 12 || !line.substring(0, 5).equals("HTTP/")) {
                    throw new IllegalStateException("bad status line: " + line);
                }
                status = Integer.parseInt(line.substring(9, 12));
                if (line.substring(0, 8).equals("HTTP/1.0")) {
                    close = true;
                }
                state = State.HEADERS;
            }
            case HEADERS -> {
                if (line.isEmpty()) {
                    if (status / 100 == 1) { // interim response: the real one follows
                        state = State.STATUS;
                    } else if (status == 204 || status == 304) {
                        state = State.DONE;
                    } else if (chunked) {
                        state = State.CHUNK_SIZE;
                    } else if (contentLength >= 0) {
                        remaining = contentLength;
                        state = contentLength == 0 ? State.DONE : State.FIXED;
                    } else {
                        close = true;
                        state = State.UNTIL_CLOSE;
                    }
                    return;
                }
                int colon = line.indexOf(":");
                if (colon <= 0) {
                    return;
                }
                String name = line.substring(0, colon).trim().toLowerCase();
                String value = line.substring(colon + 1).trim().toLowerCase();
                switch (name) {
                    case "content-length" -> contentLength = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> close = value.contains("close");
                    default -> { }
                }
            }
            case CHUNK_SIZE -> {
                int semi = line.indexOf(";");
                String hex = (semi >= 0 ? line.substring(0, semi) : line.toString()).trim();
                long size = Long.parseLong(hex, 16);
                if (size == 0) {
                    state = State.TRAILERS;
                } else {
                    remaining = size;
                    state = State.CHUNK_DATA;
                }
            }
            case TRAILERS -> {
                if (line.isEmpty()) {
                    state = State.DONE;
                }
            }
            default -> throw new IllegalStateException("unexpected line in state " + state);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
