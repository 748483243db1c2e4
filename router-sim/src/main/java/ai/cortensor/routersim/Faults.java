package ai.cortensor.routersim;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The answers of a broken router: 200 OK, then bytes no client can use ({@link Behavior.Failure}). */
final class Faults {
    private static final byte[] GARBAGE = ("<html><body><h1>502 Bad Gateway</h1></body></html>\n\u0000\u00ff\u00fe"
            + "data: {\"choices\":[{\"text\":").getBytes(StandardCharsets.ISO_8859_1);
    private static final long TRICKLE_NANOS = 200_000_000L;

    private Faults() {
    }

    /** Writes the fault's bytes, then drops the connection (no chunked terminator, no clean end). */
    static void write(SimNode node, ServerResponse res, Behavior.Failure failure, boolean stream) {
        res.header(HeaderNames.CONTENT_TYPE, stream ? "text/event-stream" : "application/json");
        res.header(FastApiReplies.SERVER);
        try {
            OutputStream out = res.outputStream(); // never closed: the connection is dropped instead
            switch (failure) {
                case GARBAGE -> {
                    out.write(GARBAGE);
                    out.flush();
                }
                case ENDLESS_LINE -> {
                    byte[] chunk = new byte[16 * 1024];
                    Arrays.fill(chunk, (byte) 'x');
                    out.write("data: {\"choices\":[{\"text\":\"".getBytes(StandardCharsets.US_ASCII));
                    while (node.pacer.awaitUntil(System.nanoTime())) {
                        out.write(chunk);
                        out.flush();
                    }
                }
                case TRICKLE -> {
                    byte[] tick = (stream ? ":\n" : " ").getBytes(StandardCharsets.US_ASCII);
                    if (!stream) {
                        out.write('{');
                    }
                    long next = System.nanoTime();
                    do {
                        out.write(tick);
                        out.flush();
                        next += TRICKLE_NANOS;
                    } while (node.pacer.awaitUntil(next));
                }
                default -> throw new IllegalArgumentException(failure + " is not a broken-body fault");
            }
        } catch (UncheckedIOException | IOException | io.helidon.webserver.ServerConnectionException gone) {
            node.counters.clientDisconnects.increment();
        }
        throw new CloseConnectionException("simulated " + failure);
    }
}
