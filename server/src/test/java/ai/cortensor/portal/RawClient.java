package ai.cortensor.portal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client on a plain {@link Socket}, for tests of what a server does with clients that send slowly or not at all.
 * Everything the server sends is collected by a reader thread until the server closes the connection.
 */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    /** Completes with the nanoTime at which the server closed the connection (end of stream or reset). */
    private final CompletableFuture<Long> closedAt = new CompletableFuture<>();

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000); // a test's bound, far above any server timeout under test
        out = socket.getOutputStream();
        Thread.ofVirtual().name("raw-client-reader").start(this::drain);
    }

    private void drain() {
        byte[] chunk = new byte[4096];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(chunk)) != -1) {
                synchronized (received) {
                    received.write(chunk, 0, n);
                }
            }
        } catch (SocketTimeoutException e) {
            closedAt.completeExceptionally(e);
            return;
        } catch (IOException e) {
            // reset by the server, or closed by this client: either way the connection is over
        }
        closedAt.complete(System.nanoTime());
    }

    /** Sends {@code text} (ASCII) at once; false when the server has already closed the connection. */
    boolean send(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends {@code text} one byte every {@code everyMillis}, until it is all sent, the server answered or the
     * server closed the connection. Returns how many bytes were sent.
     */
    int trickle(String text, long everyMillis) throws InterruptedException {
        for (int i = 0; i < text.length(); i++) {
            if (closed() || !received().isEmpty() || !send(text.substring(i, i + 1))) {
                return i;
            }
            Thread.sleep(everyMillis);
        }
        return text.length();
    }

    boolean closed() {
        return closedAt.isDone();
    }

    /** Waits until the server closes the connection; the nanoTime it did. */
    long awaitClosed(long seconds) throws Exception {
        return closedAt.get(seconds, TimeUnit.SECONDS);
    }

    /** What the server sent so far. */
    String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
