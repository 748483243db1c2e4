package ai.cortensor.portal.chaos;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection to the gateway, on a plain socket. The chaos clients need what
 * {@code java.net.http} hides: a read timeout that bounds the body too, and the exact difference between a body that
 * ended (last chunk, or Content-Length reached) and one cut by the server dying.
 */
final class RawHttp implements Closeable {
    /** What came back: {@code complete} is false when the connection broke inside the body. */
    record Response(int status, Map<String, String> headers, byte[] body, boolean complete, String cut) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;
    private final int readTimeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttp(String host, int port, int readTimeoutMillis) {
        this.host = host;
        this.port = port;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /**
     * Sends one POST and reads the whole answer. Throws when no status line came back (refused, reset, timed out
     * before the head); a body cut afterwards is returned with {@code complete = false}.
     */
    Response post(String path, Map<String, String> headers, byte[] body) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(readTimeoutMillis);
            socket.connect(new InetSocketAddress(host, port), 2_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }
        StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\nContent-Type: application/json\r\nContent-Length: ")
                .append(body.length).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        try {
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        } catch (IOException e) {
            close();
            throw e;
        }
        int status;
        Map<String, String> responseHeaders = new HashMap<>();
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before the status line");
            }
            status = Integer.parseInt(statusLine.split(" ", 3)[1]);
            for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                responseHeaders.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("bad response head: " + e, e);
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream(1024);
        String cut = null;
        try {
            if ("chunked".equalsIgnoreCase(responseHeaders.get("transfer-encoding"))) {
                readChunked(content);
            } else {
                long length = Long.parseLong(responseHeaders.getOrDefault("content-length", "0"));
                readExactly(content, length);
            }
        } catch (IOException e) {
            cut = e.toString();
        }
        if (cut != null || "close".equalsIgnoreCase(responseHeaders.get("connection"))) {
            close();
        }
        return new Response(status, responseHeaders, content.toByteArray(), cut == null, cut);
    }

    private void readChunked(ByteArrayOutputStream content) throws IOException {
        while (true) {
            String sizeLine = line();
            if (sizeLine == null) {
                throw new IOException("connection closed inside a chunked body");
            }
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                for (String t = line(); t != null && !t.isEmpty(); t = line()) {
                    // trailers: none expected
                }
                return;
            }
            readExactly(content, size);
            if (line() == null) {
                throw new IOException("connection closed after a chunk");
            }
        }
    }

    private void readExactly(ByteArrayOutputStream content, long length) throws IOException {
        byte[] buf = new byte[8192];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("connection closed with " + left + " body bytes missing");
            }
            content.write(buf, 0, n);
            left -= n;
        }
    }

    /** A CRLF-terminated line without its terminator, or null at end of stream. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken socket
            }
        }
        socket = null;
    }
}
