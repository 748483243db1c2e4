package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.WebHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The client's server-sent event stream. It is opened (status 200 and SSE headers committed) only at the first
 * frame, so an attempt that fails before its first token leaves the response untouched for the next attempt or an
 * error. Every frame is flushed as it is sent, unless flushes are deferred while a router stream is relayed: then
 * the frames decoded from one read of the router's stream go out in one flush, made before the relay waits for
 * more (so batching never delays a frame). After the client went away nothing more is written.
 */
public final class EventStream implements AutoCloseable {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Supplier<OutputStream> opener;
    private OutputStream out;
    private boolean gone;
    private boolean deferFlushes;
    private boolean unflushed;

    /** A stream that opens {@code opener}'s output at the first frame (tests write to a buffer). */
    public EventStream(Supplier<OutputStream> opener) {
        this.opener = opener;
    }

    public static EventStream of(ServerResponse res) {
        return new EventStream(() -> {
            res.status(200);
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.header(WebHeaders.ACCEL_BUFFERING, "no");
            return res.outputStream();
        });
    }

    /** {@code event: <name>}, {@code data: <json>} and a blank line (Responses and Anthropic events). */
    public static byte[] event(String name, byte[] json) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] f = new byte[EVENT.length + n.length + 1 + DATA.length + json.length + END.length];
        int p = 0;
        System.arraycopy(EVENT, 0, f, p, EVENT.length);
        p += EVENT.length;
        System.arraycopy(n, 0, f, p, n.length);
        p += n.length;
        f[p++] = '\n';
        System.arraycopy(DATA, 0, f, p, DATA.length);
        p += DATA.length;
        System.arraycopy(json, 0, f, p, json.length);
        p += json.length;
        System.arraycopy(END, 0, f, p, END.length);
        return f;
    }

    /** Writes and flushes one frame; false (and nothing more is written) once the client has gone. */
    public boolean send(byte[] frame) {
        if (gone) {
            return false;
        }
        try {
            if (out == null) {
                out = opener.get();
            }
            out.write(frame);
            if (deferFlushes) {
                unflushed = true;
            } else {
                out.flush();
            }
            return true;
        } catch (IOException | RuntimeException e) {
            gone = true; // the server's socket layer reports a gone client with its own runtime exceptions
            return false;
        }
    }

    /** While on, {@link #send} leaves frames for the next {@link #flush()}; turning it off flushes. */
    void deferFlushes(boolean on) {
        deferFlushes = on;
        if (!on) {
            flush();
        }
    }

    /** Sends what {@link #send} left unflushed (a client found gone then shows in {@link #gone()}). */
    void flush() {
        if (gone || !unflushed) {
            return;
        }
        unflushed = false;
        try {
            out.flush();
        } catch (IOException | RuntimeException e) {
            gone = true;
        }
    }

    /** True once a frame was written (or tried): the response is committed. */
    public boolean opened() {
        return out != null || gone;
    }

    public boolean gone() {
        return gone;
    }

    @Override
    public void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                gone = true;
            }
        }
    }
}
