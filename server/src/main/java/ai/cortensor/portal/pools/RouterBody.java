package ai.cortensor.portal.pools;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A router response body read straight from its connection's buffer: framed by {@code Content-Length}, by chunked
 * transfer coding, or by the connection closing. {@link #complete()} turns true once the body's last byte (and for
 * chunked bodies the terminating chunk and trailers) has been read, which is when the connection may carry another
 * request.
 */
final class RouterBody extends InputStream {
    private static final int MAX_CHUNK_LINE = 1024;

    private final RouterConnection conn;
    private final boolean chunked;
    /** Bytes left in the body (length-framed) or in the current chunk; -1 before a chunk's size line. */
    private long remaining;
    private final boolean untilClose;
    private boolean complete;
    private final byte[] one = new byte[1];

    RouterBody(RouterConnection conn, RouterResponseHead head) {
        this.conn = conn;
        this.chunked = head.chunked();
        this.untilClose = !chunked && head.contentLength() < 0;
        this.remaining = chunked ? -1 : head.contentLength();
        this.complete = !chunked && head.contentLength() == 0;
    }

    boolean complete() {
        return complete;
    }

    /** Whether the connection can carry another request once this body is complete. */
    boolean reusable() {
        return complete && !untilClose;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (complete) {
            return -1;
        }
        if (untilClose) {
            if (conn.available() < 0) {
                complete = true;
                return -1;
            }
            return conn.take(b, off, len);
        }
        if (chunked && remaining <= 0) {
            if (remaining == 0) {
                crlf(); // the end of the previous chunk's data
            }
            remaining = chunkSize();
            if (remaining == 0) {
                trailers();
                complete = true;
                return -1;
            }
        }
        if (conn.available() < 0) {
            throw new EOFException("router closed the connection mid-body");
        }
        int n = conn.take(b, off, (int) Math.min(len, remaining));
        remaining -= n;
        if (!chunked && remaining == 0) {
            complete = true;
        }
        return n;
    }

    @Override
    public int available() {
        return 0;
    }

    private int next() throws IOException {
        if (conn.available() < 0) {
            throw new EOFException("router closed the connection mid-chunk");
        }
        return conn.takeByte();
    }

    private void crlf() throws IOException {
        int c = next();
        if (c == '\r') {
            c = next();
        }
        if (c != '\n') {
            throw new IOException("malformed chunk: no line end after its data");
        }
    }

    private long chunkSize() throws IOException {
        long size = 0;
        int digits = 0;
        boolean inExtension = false;
        for (int n = 0; n < MAX_CHUNK_LINE; n++) {
            int c = next();
            if (c == '\n') {
                if (digits == 0) {
                    throw new IOException("malformed chunk size");
                }
                return size;
            }
            if (c == '\r' || inExtension) {
                continue;
            }
            if (c == ';' || c == ' ' || c == '\t') {
                inExtension = true;
                continue;
            }
            int d = Character.digit(c, 16);
            if (d < 0 || digits >= 15) {
                throw new IOException("malformed chunk size");
            }
            size = size * 16 + d;
            digits++;
        }
        throw new IOException("chunk size line too long");
    }

    private void trailers() throws IOException {
        int lineLength = 0;
        for (int n = 0; n < RouterConnection.MAX_HEAD; n++) {
            int c = next();
            if (c == '\n') {
                if (lineLength == 0) {
                    return;
                }
                lineLength = 0;
            } else if (c != '\r') {
                lineLength++;
            }
        }
        throw new IOException("router trailers too long");
    }
}
