package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.ApiError;
import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;

/** Reads a request or router body whole, never past a limit. */
public final class BoundedBody {
    private BoundedBody() {}

    /**
     * A client's request body, at most {@code maxBodyBytes}, whole within {@code timeout}: 413
     * {@code request_too_large} when longer (declared or read), 408 {@code request_timeout} when it is still
     * arriving after {@code timeout}, 400 {@code invalid_json} when empty, 400 {@code invalid_body} when it cannot be
     * read.
     *
     * <p>The deadline is checked each time a read returns, so a client trickling its body gets the 408 while it can
     * still read it. A client that sends nothing at all blocks the read; {@link ai.cortensor.portal.web.ConnectionGuard}
     * closes its connection half a timeout later, the read fails, and that too ends as 408 (recorded, though no
     * answer reaches the client).
     */
    public static byte[] request(ServerRequest req, long maxBodyBytes, Duration timeout) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBodyBytes) {
            throw tooLarge(maxBodyBytes);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (InputStream in = new DeadlineStream(req.content().inputStream(), deadline)) {
            byte[] body = read(in, maxBodyBytes, declared);
            if (body == null) {
                throw tooLarge(maxBodyBytes);
            }
            if (body.length == 0) {
                throw ApiError.invalidRequest("invalid_json", null, "The request body is empty; send a JSON object.");
            }
            return body;
        } catch (IOException | UncheckedIOException e) {
            if (System.nanoTime() - deadline >= 0) {
                throw new ApiError(408, "invalid_request_error", "request_timeout", null, "The request body did not "
                        + "arrive within " + timeout.toMillis() / 1000.0 + " s. Send it at once.", null);
            }
            throw ApiError.invalidRequest("invalid_body", null, "The request body could not be read.");
        }
    }

    /** Fails every read that returns after {@code deadline} (the caller turns that into a 408). */
    private static final class DeadlineStream extends FilterInputStream {
        private final long deadline;

        DeadlineStream(InputStream in, long deadline) {
            super(in);
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            check();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            check();
            return n;
        }

        /** Past the deadline Helidon's close would wait for one more chunk of the slow body: left to the server. */
        @Override
        public void close() throws IOException {
            if (System.nanoTime() - deadline < 0) {
                super.close();
            }
        }

        private void check() throws IOException {
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException("request body deadline passed");
            }
        }
    }

    private static ApiError tooLarge(long maxBodyBytes) {
        return new ApiError(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than the limit of " + maxBodyBytes + " bytes.", null);
    }

    /**
     * The whole stream, or null when it is longer than {@code limit}. With a declared length the buffer is exactly
     * that size; without one it grows from 4 KB (never a {@code limit}-sized allocation per request).
     */
    static byte[] read(InputStream in, long limit, long declaredLength) throws IOException {
        if (declaredLength >= 0 && declaredLength <= limit) {
            byte[] body = new byte[(int) declaredLength];
            int n = in.readNBytes(body, 0, body.length);
            if (n < body.length) {
                return Arrays.copyOf(body, n);
            }
            return in.read() == -1 ? body : null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        byte[] chunk = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(chunk)) != -1) {
            total += n;
            if (total > limit) {
                return null;
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }
}
