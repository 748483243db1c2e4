package ai.cortensor.portal.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a router's SSE stream and passes the model's text on as it arrives ({@link Deltas}), never buffering the
 * whole response. Multi-miner streams are de-interleaved by locking onto the first frame's {@code id} (or
 * {@code task_id}); frames of other miners are dropped. The outcome says how the stream ended; the delivered
 * text is kept for metering when the router reports no usage.
 */
final class StreamRelay {

    enum Outcome { COMPLETED, ROUTER_CUT, ROUTER_TIMEOUT, CLIENT_GONE }

    /** The relay's result; {@code firstByteNanos} is 0 when no content reached the client. */
    record Result(Outcome outcome, String text, String finishReason, Integer promptTokens, Integer completionTokens,
                  long firstByteNanos) {
        /** The same result, ended by the client going away (it left while the last events were written). */
        Result clientGone() {
            return new Result(Outcome.CLIENT_GONE, text, null, promptTokens, completionTokens, firstByteNanos);
        }
    }

    private StreamRelay() {}

    /** Where the model's text goes as it arrives; false when the client has gone away. */
    @FunctionalInterface
    interface Deltas {
        boolean text(String text, boolean first);
    }

    static Result relay(InputStream upstream, Deltas client) {
        StringBuilder text = new StringBuilder();
        String lockedKey = null;
        String finish = null;
        Integer pt = null;
        Integer ct = null;
        long firstByte = 0;
        boolean done = false;
        BufferedReader in = new BufferedReader(new InputStreamReader(upstream, StandardCharsets.UTF_8), 8192);
        try {
            String line;
            while ((line = readLine(in)) != null) {
                if (!line.startsWith("data:")) {
                    continue; // blank separators, comments (": keep-alive"), event/id fields
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    done = true;
                    break;
                }
                RouterReply frame;
                try {
                    frame = RouterReply.parse(data);
                } catch (IOException e) {
                    continue; // a malformed frame is dropped, not fatal
                }
                if (lockedKey == null) {
                    lockedKey = frame.streamKey();
                } else if (frame.streamKey() != null && !lockedKey.equals(frame.streamKey())) {
                    continue; // another miner's frame
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
                        return new Result(Outcome.CLIENT_GONE, text.toString(), null, pt, ct, firstByte);
                    }
                }
                if (frame.finishReason() != null) {
                    finish = frame.finishReason();
                }
            }
        } catch (RouterReadTimeout e) {
            return new Result(Outcome.ROUTER_TIMEOUT, text.toString(), null, pt, ct, firstByte);
        } catch (IOException e) {
            return new Result(Outcome.ROUTER_CUT, text.toString(), null, pt, ct, firstByte);
        }
        if (!done && finish == null) {
            return new Result(Outcome.ROUTER_CUT, text.toString(), null, pt, ct, firstByte);
        }
        return new Result(Outcome.COMPLETED, text.toString(), finish == null ? "stop" : finish, pt, ct, firstByte);
    }

    private static String readLine(BufferedReader in) throws IOException {
        try {
            return in.readLine();
        } catch (UncheckedIOException e) {
            throw timeoutOr(e.getCause(), e);
        } catch (IOException e) {
            throw timeoutOr(e, e);
        } catch (RuntimeException e) {
            // the client library reports a connection closed mid-chunk as a runtime exception
            throw timeoutOr(e.getCause(), e);
        }
    }

    private static IOException timeoutOr(Throwable cause, Exception original) {
        if (cause instanceof java.net.SocketTimeoutException) {
            return new RouterReadTimeout();
        }
        return original instanceof IOException io ? io : new IOException(original);
    }

    private static final class RouterReadTimeout extends IOException {
        RouterReadTimeout() {
            super("router read timed out", null);
        }
    }
}
