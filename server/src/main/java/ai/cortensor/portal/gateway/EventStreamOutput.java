package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.WebHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The client's event stream, opened (status 200 and SSE headers committed) only at the first write, so an
 * attempt that fails before its first token leaves the response untouched for the next attempt or an error.
 */
final class EventStreamOutput extends OutputStream {
    private final ServerResponse res;
    private OutputStream out;

    EventStreamOutput(ServerResponse res) {
        this.res = res;
    }

    boolean opened() {
        return out != null;
    }

    private OutputStream out() {
        if (out == null) {
            res.status(200);
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.header(WebHeaders.ACCEL_BUFFERING, "no");
            out = res.outputStream();
        }
        return out;
    }

    @Override
    public void write(int b) throws IOException {
        out().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        out().flush();
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
