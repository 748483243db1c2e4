package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.ApiError;
import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** Reads a request or router body whole, never past a limit. */
public final class BoundedBody {
    private BoundedBody() {}

    /**
     * A client's request body, at most {@code maxBodyBytes}: 413 {@code request_too_large} when longer (declared or
     * read), 400 {@code invalid_json} when empty, 400 {@code invalid_body} when it cannot be read.
     */
    public static byte[] request(ServerRequest req, long maxBodyBytes) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBodyBytes) {
            throw tooLarge(maxBodyBytes);
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = read(in, maxBodyBytes, declared);
            if (body == null) {
                throw tooLarge(maxBodyBytes);
            }
            if (body.length == 0) {
                throw ApiError.invalidRequest("invalid_json", null, "The request body is empty; send a JSON object.");
            }
            return body;
        } catch (IOException | UncheckedIOException e) {
            throw ApiError.invalidRequest("invalid_body", null, "The request body could not be read.");
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
