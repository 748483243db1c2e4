package ai.cortensor.portal.web;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.spi.ServerConnection;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * One connection as {@link ConnectionGuard} sees it: Helidon's connection context, except that every socket read
 * goes through {@link #read}, which records whether the server is waiting for the client and in which phase of the
 * request. A phase starts when the client starts it: {@code HEADERS} at the first byte of a request,
 * {@code BODY} when its headers are read, {@code IDLE} when the server waits for the next request line again.
 */
final class Watch implements ConnectionContext {
    enum Phase { IDLE, HEADERS, BODY }

    private final ConnectionContext ctx;
    private final DataReader reader;
    /** Helidon's HTTP/1 connection on this context; set once, right after construction. */
    volatile ServerConnection connection;
    private volatile Phase phase = Phase.IDLE;
    private volatile long phaseStart = System.nanoTime();
    private volatile boolean reading;

    Watch(ConnectionContext ctx) {
        this.ctx = ctx;
        this.reader = DataReader.create(this::read);
    }

    /** The request line and headers are complete: from now on the server may wait for the body. */
    void headersRead() {
        phaseStart = System.nanoTime();
        phase = Phase.BODY;
    }

    /** Helidon's connection is waiting for a request line (between requests, or in one). */
    boolean readingPrologue() {
        return connection instanceof InterruptableTask<?> task && task.canInterrupt();
    }

    /**
     * The phase whose deadline has passed while the server waits on a read, or {@code IDLE} when none has: idle
     * connections are Helidon's to close ({@code http.idle-timeout}), and a server busy answering waits for no one.
     */
    Phase overdue(long now, long headerNanos, long bodyNanos) {
        if (!reading) {
            return Phase.IDLE;
        }
        Phase p = phase;
        long waited = now - phaseStart;
        return switch (p) {
            case HEADERS -> waited > headerNanos ? p : Phase.IDLE;
            case BODY -> waited > bodyNanos ? p : Phase.IDLE;
            case IDLE -> Phase.IDLE;
        };
    }

    /** Helidon's socket read, with the guard's bookkeeping around it (as Helidon's own reader maps failures). */
    private byte[] read() {
        if (phase == Phase.BODY && readingPrologue()) {
            phase = Phase.IDLE; // the last request is done; waiting for the next one is not a slow body
        }
        reading = true;
        try {
            byte[] data = ctx.serverSocket().get();
            if (data != null && phase == Phase.IDLE) {
                phaseStart = System.nanoTime();
                phase = Phase.HEADERS;
            }
            return data;
        } catch (UncheckedIOException e) {
            throw new ServerConnectionException("Failed to get data from socket", e);
        } finally {
            reading = false;
        }
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public DataWriter dataWriter() {
        return ctx.dataWriter();
    }

    @Override
    public Router router() {
        return ctx.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return ctx.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return ctx.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }
}
