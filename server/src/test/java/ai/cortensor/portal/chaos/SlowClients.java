package ai.cortensor.portal.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Slowloris: many connections that each started a request and send its headers one byte at a time, a byte per
 * connection per second, never finishing. One platform thread keeps them all trickling; a connection the gateway
 * closes is counted and left alone.
 */
final class SlowClients implements AutoCloseable {
    private final List<Socket> sockets = new ArrayList<>();
    private final List<OutputStream> outs = new ArrayList<>();
    private final boolean[] closedByServer;
    private final Thread trickler;
    private volatile boolean running = true;

    private SlowClients(int port, int n) throws IOException {
        byte[] start = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Slow: ")
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = s.getOutputStream();
            out.write(start);
            out.flush();
            sockets.add(s);
            outs.add(out);
        }
        closedByServer = new boolean[n];
        trickler = Thread.ofPlatform().name("slowloris").daemon(true).start(this::trickle);
    }

    /** Opens {@code n} connections, each with a request line and the start of a header, then trickles. */
    static SlowClients open(int port, int n) {
        try {
            return new SlowClients(port, n);
        } catch (IOException e) {
            throw new AssertionError("could not open the slow connections", e);
        }
    }

    private void trickle() {
        while (running) {
            for (int i = 0; i < outs.size() && running; i++) {
                if (closedByServer[i]) {
                    continue;
                }
                try {
                    outs.get(i).write('x');
                    outs.get(i).flush();
                } catch (IOException e) {
                    closedByServer[i] = true;
                }
            }
            try {
                Thread.sleep(1_000); // the attack's pace: one byte per connection per second
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    int open() {
        return sockets.size();
    }

    /** Connections the gateway has closed so far (a header timeout would); seen on the next write. */
    synchronized int closedByServer() {
        int n = 0;
        for (boolean b : closedByServer) {
            n += b ? 1 : 0;
        }
        return n;
    }

    @Override
    public void close() {
        running = false;
        trickler.interrupt();
        try {
            trickler.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
