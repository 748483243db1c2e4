package ai.cortensor.portal.pools;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection to a router, used by one request at a time. It owns a read buffer that the
 * response head is parsed from and the body is served from, so bytes are copied once from the socket to the reader.
 * Not thread-safe: a connection is either in its endpoint's idle pool or held by exactly one call.
 */
final class RouterConnection {
    /** A response head larger than this is refused (a router sends a few hundred bytes). */
    static final int MAX_HEAD = 16 * 1024;
    /** The buffer's first size: a stream's frames and a whole small answer fit; a larger head grows it. */
    private static final int BUFFER = 8 * 1024;

    final RouterEndpoint endpoint;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] buf = new byte[BUFFER];
    private int pos;
    private int lim;
    /** When the current request must be over (System.nanoTime); a read after it fails as a timeout. */
    private long deadlineNanos = Long.MAX_VALUE;
    /** Requests this connection has carried; 0 until the first one is written. */
    int uses;
    long idleSinceNanos;

    RouterConnection(RouterEndpoint endpoint, Socket socket) throws IOException {
        this.endpoint = endpoint;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Bounds the next request: each read waits at most {@code readMillis}, and no read starts after
     * {@code deadlineNanos} (so a router that trickles bytes cannot hold a request past it).
     */
    void timeouts(int readMillis, long deadlineNanos) throws SocketException {
        socket.setSoTimeout(readMillis);
        this.deadlineNanos = deadlineNanos;
    }

    /** Writes one request: the prepared head, the body's length, and the body, in as few writes as possible. */
    void write(byte[] head, byte[] body) throws IOException {
        uses++;
        byte[] length = Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII);
        int total = head.length + length.length + 4 + body.length;
        if (total <= buf.length && pos == lim) {
            // the read buffer is empty between requests, so it doubles as the write buffer
            int n = put(head, 0);
            n = put(length, n);
            buf[n++] = '\r';
            buf[n++] = '\n';
            buf[n++] = '\r';
            buf[n++] = '\n';
            n = put(body, n);
            out.write(buf, 0, n);
        } else {
            byte[] first = new byte[head.length + length.length + 4];
            System.arraycopy(head, 0, first, 0, head.length);
            System.arraycopy(length, 0, first, head.length, length.length);
            first[first.length - 4] = '\r';
            first[first.length - 3] = '\n';
            first[first.length - 2] = '\r';
            first[first.length - 1] = '\n';
            out.write(first);
            out.write(body);
        }
        out.flush();
        pos = 0;
        lim = 0;
    }

    private int put(byte[] src, int at) {
        System.arraycopy(src, 0, buf, at, src.length);
        return at + src.length;
    }

    /** Reads and parses the response head (status line and headers); the body follows in this buffer. */
    RouterResponseHead readHead() throws IOException {
        int start = pos;
        int lineStart = pos;
        int status = -1;
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        String contentType = "";
        while (true) {
            int eol = indexOfNewline(lineStart);
            while (eol < 0) {
                if (lim - start >= MAX_HEAD) {
                    throw new IOException("router response head over " + MAX_HEAD + " bytes");
                }
                int shift = compact(start);
                start -= shift;
                lineStart -= shift;
                if (fill() < 0) {
                    throw new EOFException("router closed the connection before a response");
                }
                eol = indexOfNewline(lineStart);
            }
            int end = eol > lineStart && buf[eol - 1] == '\r' ? eol - 1 : eol;
            if (status < 0) {
                status = statusCode(lineStart, end);
                close = end - lineStart >= 8 && buf[lineStart + 7] == '0'; // HTTP/1.0 closes unless told otherwise
            } else if (end == lineStart) {
                pos = eol + 1;
                return new RouterResponseHead(status, contentType, contentLength, chunked, close);
            } else {
                int colon = indexOf((byte) ':', lineStart, end);
                if (colon > 0) {
                    String name = ascii(lineStart, colon);
                    String value = ascii(colon + 1, end).trim();
                    if (name.equalsIgnoreCase("content-length")) {
                        contentLength = parseLength(value);
                    } else if (name.equalsIgnoreCase("transfer-encoding")) {
                        chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
                    } else if (name.equalsIgnoreCase("connection")) {
                        close = value.equalsIgnoreCase("close") || (close && !value.equalsIgnoreCase("keep-alive"));
                    } else if (name.equalsIgnoreCase("content-type")) {
                        contentType = value;
                    }
                }
            }
            lineStart = eol + 1;
        }
    }

    private int statusCode(int from, int to) throws IOException {
        // "HTTP/1.1 200 OK"
        if (to - from < 12 || buf[from] != 'H' || buf[from + 8] != ' ') {
            throw new IOException("not an HTTP/1.x status line");
        }
        int code = 0;
        for (int i = from + 9; i < from + 12; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                throw new IOException("malformed status code");
            }
            code = code * 10 + d;
        }
        return code;
    }

    private static long parseLength(String value) throws IOException {
        try {
            long n = Long.parseLong(value);
            if (n < 0) {
                throw new IOException("negative content-length");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IOException("malformed content-length");
        }
    }

    /** Bytes available in the buffer, reading from the socket when it is empty; -1 at the end of the stream. */
    int available() throws IOException {
        if (pos == lim) {
            pos = 0;
            lim = 0;
            if (fill() < 0) {
                return -1;
            }
        }
        return lim - pos;
    }

    /** Copies up to {@code len} buffered bytes (call {@link #available()} first). */
    int take(byte[] dst, int off, int len) {
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        return n;
    }

    int takeByte() {
        return buf[pos++] & 0xff;
    }

    /** Skips up to {@code n} buffered bytes. */
    int skip(long n) {
        int k = (int) Math.min(n, lim - pos);
        pos += k;
        return k;
    }

    /** Reads bytes from the socket into the buffer; -1 at the end of the stream. */
    private int fill() throws IOException {
        if (lim == buf.length) {
            if (buf.length >= MAX_HEAD) {
                throw new IOException("router response head over " + MAX_HEAD + " bytes");
            }
            buf = java.util.Arrays.copyOf(buf, MAX_HEAD);
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new SocketTimeoutException("the router's answer took longer than the request's deadline");
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n > 0) {
            lim += n;
        }
        return n;
    }

    /** Moves the unread bytes from {@code from} to the start of the buffer; returns how far they moved. */
    private int compact(int from) {
        if (from == 0) {
            return 0;
        }
        System.arraycopy(buf, from, buf, 0, lim - from);
        lim -= from;
        pos = Math.max(0, pos - from);
        return from;
    }

    private int indexOfNewline(int from) {
        return indexOf((byte) '\n', from, lim);
    }

    private int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private String ascii(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** True when nothing unread is left over from the last response (a connection fit to reuse). */
    boolean drained() {
        return pos == lim;
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
