package ai.cortensor.routersim;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import io.helidon.common.GenericType;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.spi.Sink;
import io.helidon.webserver.http.spi.SinkProviderContext;

/**
 * A chunked response body written frame by frame. {@link #out()} is buffered: every {@link #flush()} becomes one
 * HTTP chunk. {@link #close()} ends the body with the terminating chunk; abandoning the sink and throwing
 * {@link io.helidon.webserver.CloseConnectionException} ends the connection without it.
 */
final class EventStreamSink implements Sink<byte[]> {

    static final GenericType<EventStreamSink> TYPE = GenericType.create(EventStreamSink.class);

    private final OutputStream out;
    private final Runnable commit;

    private EventStreamSink(OutputStream out, Runnable commit) {
        this.out = out;
        this.commit = commit;
    }

    /** Opens the body of {@code res} (headers already set) and sends status line and headers right away when possible. */
    static EventStreamSink open(ServerResponse res) {
        try {
            return res.sink(TYPE);
        } catch (IllegalArgumentException noProvider) {
            // service file lost (e.g. a shaded jar): headers then leave with the first flushed frame
            OutputStream out = res.outputStream();
            return new EventStreamSink(out, () -> close(out));
        }
    }

    static EventStreamSink headersSent(SinkProviderContext context) {
        OutputStream out = context.serverResponse().outputStream();
        context.flushHeaders();
        return new EventStreamSink(out, context.closeRunnable());
    }

    OutputStream out() {
        return out;
    }

    /** Sends everything written so far as one chunk. */
    void flush() throws IOException {
        out.flush();
    }

    @Override
    public EventStreamSink emit(byte[] frame) {
        try {
            out.write(frame);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    @Override
    public void close() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        commit.run();
    }

    private static void close(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
