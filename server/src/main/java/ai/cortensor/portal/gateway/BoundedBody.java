package ai.cortensor.portal.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads a request or router body whole, never past a limit. */
final class BoundedBody {
    private BoundedBody() {}

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
