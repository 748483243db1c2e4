package ai.cortensor.routersim;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes one streaming completion (wire format documented on {@link RouterSim}). Every data frame is flushed as
 * its own HTTP chunk. When the client goes away the next failing write ends the request and is counted in
 * {@link SimCounters#clientDisconnects}.
 */
final class SseStream {

    static final int COMMENT_EVERY = 4;

    private static final byte[] DONE = SimNode.ascii("data: [DONE]\n\n");
    private static final byte[] KEEP_ALIVE = SimNode.ascii(": keep-alive\n\n");
    private static final byte[] TOKEN_END = SimNode.ascii("\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}\n\n");

    private final SimNode node;
    private final OutputStream out;
    /** Data frames after which the connection is killed; -1 = never. */
    private final int cutAfter;
    private int dataFrames;

    private SseStream(SimNode node, OutputStream out, int cutAfter) {
        this.node = node;
        this.out = out;
        this.cutAfter = cutAfter;
    }

    /**
     * @param ids       {@code cmpl-} number (and {@code task_id}) per miner; length 2 interleaves a second miner
     * @param cutAfter  data frames to send before killing the connection, or -1 for a complete stream
     */
    static void write(SimNode node, ServerResponse res, Behavior b, CompletionRequest req, Answer answer, long[] ids,
                      long startNanos, int cutAfter) {
        res.header(FastApiReplies.EVENT_STREAM);
        res.header(FastApiReplies.SERVER);
        try {
            EventStreamSink sink = EventStreamSink.open(res);
            node.counters.streamsStarted.increment();
            new SseStream(node, sink.out(), cutAfter).frames(b, req, answer, ids, startNanos);
            sink.close();
        } catch (UncheckedIOException | ServerConnectionException | IOException clientGone) {
            node.counters.clientDisconnects.increment();
            throw new CloseConnectionException("client disconnected", clientGone);
        }
    }

    private void frames(Behavior b, CompletionRequest req, Answer answer, long[] ids, long startNanos)
            throws IOException {
        long created = System.currentTimeMillis() / 1000;
        byte[][] prefixes = new byte[ids.length][];
        for (int m = 0; m < ids.length; m++) {
            prefixes[m] = (
                    "data: {\"id\":\"cmpl-" + ids[m] + "\",\"task_id\":" + ids[m] + ",\"object\":\"text_completion\",\"created\":"
                    + created + ",\"model\":" + node.modelJson + ",\"choices\":[{\"text\":\"").getBytes(StandardCharsets.UTF_8);
        }
        int n = answer.completionTokens();
        if (b.commentLines()) {
            out.write(KEEP_ALIVE);
        }
        out.flush();
        checkCut();
        long ttftNanos = b.ttftMillis() * 1_000_000L;
        for (int i = 0; i < n; i++) {
            long due = startNanos + ttftNanos + (b.tokensPerSecond() > 0 ? (long) (i * 1e9 / b.tokensPerSecond()) : 0);
            if (!node.pacer.awaitUntil(due)) {
                throw new CloseConnectionException("sim closing");
            }
            if (b.commentLines() && i > 0 && i % COMMENT_EVERY == 0) {
                out.write(KEEP_ALIVE);
            }
            for (int m = 0; m < prefixes.length; m++) {
                byte[] token = answer.frame(m, i);
                if (token == null) {
                    continue; // generated, but the detokenizer dropped it: nothing to send
                }
                out.write(prefixes[m]);
                out.write(token);
                out.write(TOKEN_END);
                dataFrame();
            }
        }
        if (n == 0 && !node.pacer.awaitUntil(startNanos + ttftNanos)) {
            throw new CloseConnectionException("sim closing");
        }
        byte[] end = finalFrameEnd(b, req, answer);
        for (byte[] prefix : prefixes) {
            out.write(prefix);
            out.write(end);
            dataFrame();
        }
        if (cutAfter >= 0) {
            throw new CloseConnectionException("simulated cut before [DONE]");
        }
        out.write(DONE);
    }

    private static byte[] finalFrameEnd(Behavior b, CompletionRequest req, Answer answer) {
        int n = answer.completionTokens();
        StringBuilder sb = new StringBuilder(160)
                .append("\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"")
                .append(answer.finishReason()).append("\"}]");
        if (b.usageInStream()) {
            int p = SimText.promptTokens(req.prompt());
            sb.append(",\"usage\":{\"prompt_tokens\":").append(p).append(",\"completion_tokens\":").append(n)
                    .append(",\"total_tokens\":").append(p + n).append('}');
        }
        return SimNode.ascii(sb.append("}\n\n").toString());
    }

    private void dataFrame() throws IOException {
        out.flush();
        dataFrames++;
        checkCut();
    }

    private void checkCut() {
        if (dataFrames == cutAfter) {
            throw new CloseConnectionException("simulated cut after " + cutAfter + " data frames");
        }
    }
}
