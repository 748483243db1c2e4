package ai.cortensor.bench;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A single-threaded NIO HTTP/1.1 load generator over keep-alive connections (one request in flight per connection,
 * no pipelining). Two modes:
 * <ul>
 *   <li>{@link #openLoop}: request {@code k} is due at {@code start + k / rate} whatever happened before (a pacer
 *       thread wakes the selector at each due time); latency is measured from that scheduled time, so queueing
 *       behind a slow response is counted (no coordinated omission). How late the generator itself sent each
 *       request is recorded separately ({@code sendLag}).</li>
 *   <li>{@link #closedLoop}: each connection sends its next request as soon as the previous response ends
 *       (streams); records time to the first body byte sequence matching a marker (first token) and total time.</li>
 *   <li>{@link #holdOpen} / {@link #holdWindow} / {@link #holdClose}: slow streams; opens one connection per stream at
 *       a paced rate, sends one streaming request on each as soon as it connects and keeps them all open (a stream
 *       that ends is not replaced), so the server holds that many streams at once.</li>
 * </ul>
 * All histograms are in nanoseconds.
 */
final class LoadEngine implements AutoCloseable {

    static final class Result {
        final Histogram latency = hist();
        final Histogram sendLag = hist();
        final Histogram ttft = hist();
        long sent;
        long ok;
        long completedInWindow;
        long bodyBytes;
        /** SSE events received inside the measured window (streams only). */
        long frames;
        final Map<String, Long> errors = new TreeMap<>();
        double seconds;

        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        void error(String what) {
            errors.merge(what, 1L, Long::sum);
        }

        /** Adds another run's counts and histograms to this one (runs of one measurement taken in slices). */
        void add(Result o) {
            latency.add(o.latency);
            sendLag.add(o.sendLag);
            ttft.add(o.ttft);
            sent += o.sent;
            ok += o.ok;
            completedInWindow += o.completedInWindow;
            bodyBytes += o.bodyBytes;
            frames += o.frames;
            o.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
            seconds += o.seconds;
        }

        private static Histogram hist() {
            return new Histogram(120_000_000_000L, 3);
        }
    }

    private static final class Conn {
        final Endpoint endpoint;
        final int endpointIndex;
        final ResponseParser parser;
        SocketChannel channel;
        SelectionKey key;
        ByteBuffer out;
        boolean ready;
        boolean busy;
        /** Slow streams: the first token arrived and the response has not ended. */
        boolean streaming;
        long scheduled;
        long sentAt;

        Conn(Endpoint endpoint, int endpointIndex, byte[] marker) {
            this.endpoint = endpoint;
            this.endpointIndex = endpointIndex;
            this.parser = new ResponseParser(marker);
        }
    }

    private final Selector selector;
    private final List<Endpoint> endpoints;
    private final List<Conn> conns = new ArrayList<>();
    private final List<ArrayDeque<Conn>> idle = new ArrayList<>();
    private final ByteBuffer readBuf = ByteBuffer.allocateDirect(256 * 1024);
    private int roundRobin;
    private int outstanding;
    private Result result;
    private boolean closedLoop;
    private long closedLoopEnd;
    /** Frames count towards {@link Result#frames} while now is in [windowStart, windowEnd]. */
    private long windowStart = Long.MIN_VALUE;
    private long windowEnd = Long.MAX_VALUE;
    private boolean holding;
    /** SSE events received by this engine so far, in any mode (written by its thread, read by samplers). */
    private volatile long framesTotal;
    private final byte[] marker;
    private Hold hold;

    /** Opens {@code connectionsPerEndpoint} connections to each endpoint (blocking, before any measurement). */
    LoadEngine(List<Endpoint> endpoints, int connectionsPerEndpoint, byte[] marker) throws IOException {
        this.selector = Selector.open();
        this.endpoints = List.copyOf(endpoints);
        this.marker = marker;
        for (int i = 0; i < endpoints.size(); i++) {
            idle.add(new ArrayDeque<>());
        }
        for (int n = 0; n < connectionsPerEndpoint; n++) {
            for (int i = 0; i < endpoints.size(); i++) {
                Conn c = new Conn(endpoints.get(i), i, marker);
                conns.add(c);
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.connect(c.endpoint.address());
                ch.configureBlocking(false);
                c.channel = ch;
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                c.ready = true;
                idle.get(i).push(c);
            }
        }
    }

    /** Offers {@code rate} requests/s for {@code seconds}, then waits up to {@code drainSeconds} for answers. */
    Result openLoop(double rate, double seconds, double drainSeconds) throws IOException {
        result = new Result();
        closedLoop = false;
        long interval = Math.max(1, Math.round(1e9 / rate));
        long total = Math.max(1, Math.round(rate * seconds));
        long start = System.nanoTime() + 20_000_000L;
        long lastDue = start + (total - 1) * interval;
        long deadline = lastDue + (long) (drainSeconds * 1e9);
        Thread pacer = Thread.ofPlatform().name("pacer").daemon(true).start(() -> {
            for (long k = 0; k < total && !Thread.currentThread().isInterrupted(); k++) {
                long due = start + k * interval;
                for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
                selector.wakeup();
            }
        });
        long next = 0;
        try {
            while (true) {
                long now = System.nanoTime();
                if (now >= start && next < total) {
                    long due = Math.min(total, (now - start) / interval + 1);
                    while (next < due) {
                        Conn c = idleConn();
                        if (c == null) {
                            break; // every connection is busy: the request waits, and its latency counts that
                        }
                        send(c, start + next * interval);
                        next++;
                    }
                }
                if (next == total && outstanding == 0) {
                    break;
                }
                if (now >= deadline) {
                    break;
                }
                long waitMs = Math.max(1, Math.min(100, (deadline - now) / 1_000_000L));
                selector.select(waitMs);
                handleSelected();
            }
        } finally {
            pacer.interrupt();
        }
        result.seconds = (Math.max(lastDue, start) - start + interval) / 1e9;
        long unanswered = outstanding + (total - next);
        if (unanswered > 0) {
            result.errors.merge("timeout", unanswered, Long::sum);
        }
        abandonBusy();
        return result;
    }

    /** Keeps every connection busy for {@code seconds}; responses ending in that window count towards the rate. */
    Result closedLoop(double seconds, double drainSeconds) throws IOException {
        result = new Result();
        closedLoop = true;
        long start = System.nanoTime();
        closedLoopEnd = start + (long) (seconds * 1e9);
        windowStart = start;
        windowEnd = closedLoopEnd;
        long deadline = closedLoopEnd + (long) (drainSeconds * 1e9);
        while (true) {
            long now = System.nanoTime();
            if (now < closedLoopEnd) {
                for (Conn c; (c = idleConn()) != null; ) {
                    send(c, System.nanoTime());
                }
            } else if (outstanding == 0 || now >= deadline) {
                break;
            }
            selector.select(Math.max(1, Math.min(100, ((now < closedLoopEnd ? closedLoopEnd : deadline) - now) / 1_000_000L)));
            handleSelected();
        }
        result.seconds = seconds;
        if (outstanding > 0) {
            result.errors.merge("timeout", (long) outstanding, Long::sum);
        }
        abandonBusy();
        return result;
    }

    private Conn idleConn() {
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            ArrayDeque<Conn> q = idle.get((roundRobin + i) % n);
            Conn c = q.poll(); // LIFO: the most recently used connection first
            if (c != null) {
                roundRobin = (roundRobin + i + 1) % n;
                return c;
            }
        }
        return null;
    }

    private void send(Conn c, long scheduled) {
        long now = System.nanoTime();
        c.busy = true;
        c.scheduled = scheduled;
        c.sentAt = now;
        c.parser.reset();
        outstanding++;
        result.sent++;
        if (!closedLoop) {
            result.sendLag.recordValue(Math.max(0, now - scheduled));
        }
        c.out = ByteBuffer.wrap(c.endpoint.request());
        try {
            c.channel.write(c.out);
            if (c.out.hasRemaining()) {
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } catch (IOException e) {
            fail(c, "write: " + e.getClass().getSimpleName());
        }
    }

    private void handleSelected() {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            Conn c = (Conn) k.attachment();
            if (!k.isValid()) {
                continue;
            }
            try {
                if (k.isConnectable()) {
                    c.channel.finishConnect();
                    k.interestOps(SelectionKey.OP_READ);
                    if (holding) {
                        connected(c);
                        continue;
                    }
                    c.ready = true;
                    idle.get(c.endpointIndex).push(c);
                    continue;
                }
                if (k.isWritable()) {
                    c.channel.write(c.out);
                    if (!c.out.hasRemaining()) {
                        k.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (k.isReadable()) {
                    read(c);
                }
            } catch (IOException | RuntimeException e) {
                // slow streams: the message too ("Connection reset by peer", "Too many open files", ...)
                fail(c, e.getClass().getSimpleName() + (holding && e.getMessage() != null ? ": " + e.getMessage() : ""));
            }
        }
    }

    /**
     * Diagnosis only ({@code -Dbench.quickack=true}): ACK every segment at once (Linux TCP_QUICKACK), so a server
     * that writes small segments without TCP_NODELAY is not held back by this client's delayed ACKs. Real clients
     * do not do this, so measurements run without it.
     */
    private static final boolean QUICKACK = Boolean.getBoolean("bench.quickack");

    private void read(Conn c) throws IOException {
        if (QUICKACK) {
            c.channel.setOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK, true);
        }
        while (true) {
            readBuf.clear();
            int n = c.channel.read(readBuf);
            long now = System.nanoTime();
            if (n < 0) {
                if (c.busy && c.parser.endOfStream()) {
                    complete(c, now);
                    return;
                }
                if (c.busy) {
                    fail(c, "closed by peer mid-response");
                } else {
                    reconnect(c); // an idle keep-alive connection closed by the server
                }
                return;
            }
            if (n == 0) {
                return;
            }
            readBuf.flip();
            if (!c.busy) {
                fail(c, "bytes without a request");
                return;
            }
            long framesBefore = c.parser.frames;
            boolean done = c.parser.feed(readBuf, now);
            long framesNow = c.parser.frames - framesBefore;
            if (framesNow != 0) {
                framesTotal += framesNow; // one writer: this thread
            }
            if (now >= windowStart && now <= windowEnd) {
                result.frames += framesNow;
            }
            if (holding && !c.streaming && c.parser.markerAtNanos != 0 && c.parser.status == 200) {
                c.streaming = true;
                result.ttft.recordValue(Math.max(0, c.parser.markerAtNanos - c.sentAt));
                hold.open++;
                hold.peakOpen = Math.max(hold.peakOpen, hold.open);
            }
            if (done) {
                complete(c, now);
                return;
            }
            if (n < readBuf.capacity()) {
                return;
            }
        }
    }

    private void complete(Conn c, long now) {
        c.busy = false;
        outstanding--;
        ResponseParser p = c.parser;
        result.bodyBytes += p.bodyBytes;
        if (holding) {
            if (p.status != 200) {
                result.error("http " + p.status);
            } else {
                result.ok++;
                hold.ended++;
            }
            stopHolding(c, now);
            return;
        }
        if (p.status != 200) {
            result.error("http " + p.status);
        } else if (closedLoop && p.markerAtNanos == 0) {
            result.error("no first token in the body");
        } else {
            result.ok++;
            result.latency.recordValue(Math.max(0, now - c.scheduled));
            if (closedLoop) {
                result.ttft.recordValue(Math.max(0, p.markerAtNanos - c.sentAt));
                if (now <= closedLoopEnd) {
                    result.completedInWindow++;
                }
            } else {
                result.completedInWindow++;
            }
        }
        if (p.close) {
            reconnect(c);
        } else {
            idle.get(c.endpointIndex).push(c);
        }
    }

    private void fail(Conn c, String why) {
        if (c.busy || holding) {
            c.busy = false;
            outstanding--;
            result.error(why);
        }
        if (holding) {
            stopHolding(c, System.nanoTime());
            return;
        }
        reconnect(c);
    }

    private void reconnect(Conn c) {
        idle.get(c.endpointIndex).remove(c);
        c.ready = false;
        c.busy = false;
        try {
            c.key.cancel();
            c.channel.close();
        } catch (IOException ignored) {
            // closing a broken socket
        }
        try {
            if (open(c)) {
                c.ready = true;
                idle.get(c.endpointIndex).push(c);
            }
        } catch (IOException e) {
            result.error("connect: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Opens {@code c}'s non-blocking socket and registers it: for reading when it connected at once (returns true),
     * else for the connect to finish.
     */
    private boolean open(Conn c) throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.channel = ch;
        boolean now = ch.connect(c.endpoint.address());
        c.key = ch.register(selector, now ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
        return now;
    }

    /** Connections still waiting for an answer after the drain are closed and reopened for the next run. */
    private void abandonBusy() {
        for (Conn c : conns) {
            if (c.busy) {
                c.busy = false;
                reconnect(c);
            }
        }
        outstanding = 0;
    }

    // ---- slow streams -------------------------------------------------------------------------------------------

    /** What {@link #holdOpen} and {@link #holdWindow} saw; counts of streams unless said otherwise. */
    static final class Hold {
        final Result result = new Result();
        /** Time between consecutive SSE events of one stream, inside the window (nanoseconds). */
        final Histogram gaps = new Histogram(120_000_000_000L, 3);
        int requested;
        int connectsStarted;
        int connected;
        int requestsSent;
        /** Streams whose first token has arrived and that have not ended: now, and the most at once. */
        int open;
        int peakOpen;
        int openAtWindowStart;
        int openAtWindowEnd;
        /** Connections still waiting for or receiving their stream (request sent, no error, not ended) at the end. */
        int heldAtWindowEnd;
        int minOpenInWindow = Integer.MAX_VALUE;
        /** Streams that ended normally (the whole answer arrived) before the end of the window. */
        long ended;
        double rampSeconds;
        double windowSeconds;
    }

    /**
     * Opens {@code streams} connections, evenly spread over {@code rampSeconds}, sends the streaming request on
     * each as soon as it is connected, then keeps reading for {@code settleSeconds} more so the last streams get
     * their first token. Call on an engine made with no connections.
     */
    Hold holdOpen(int streams, double rampSeconds, double settleSeconds) throws IOException {
        hold = new Hold();
        hold.requested = streams;
        result = hold.result;
        holding = true;
        closedLoop = true;
        windowStart = Long.MAX_VALUE; // no frames counted before the window
        windowEnd = Long.MIN_VALUE;
        long start = System.nanoTime();
        long rampNanos = (long) (rampSeconds * 1e9);
        long end = start + rampNanos + (long) (settleSeconds * 1e9);
        int endpointIndex = 0;
        while (true) {
            long now = System.nanoTime();
            long due = streams <= 1 || rampNanos == 0 ? streams
                    : Math.min(streams, (now - start) * (streams - 1) / rampNanos + 1);
            while (hold.connectsStarted < due) {
                hold.connectsStarted++;
                openStream(endpointIndex);
                endpointIndex = (endpointIndex + 1) % endpoints.size();
            }
            if (hold.connectsStarted == streams && hold.rampSeconds == 0) {
                hold.rampSeconds = (now - start) / 1e9;
            }
            if (now >= end) {
                break;
            }
            selector.select(hold.connectsStarted < streams ? 1 : Math.max(1, Math.min(100, (end - now) / 1_000_000L)));
            handleSelected();
        }
        return hold;
    }

    long framesTotal() {
        return framesTotal;
    }

    Hold hold() {
        return hold;
    }

    /** Keeps every stream open and reads for {@code seconds}: the measured window. */
    Hold holdWindow(double seconds) throws IOException {
        for (Conn c : conns) {
            c.parser.gaps = hold.gaps;
        }
        long start = System.nanoTime();
        windowStart = start;
        windowEnd = start + (long) (seconds * 1e9);
        hold.openAtWindowStart = hold.open;
        hold.minOpenInWindow = hold.open;
        while (true) {
            long now = System.nanoTime();
            if (now >= windowEnd) {
                break;
            }
            selector.select(Math.max(1, Math.min(100, (windowEnd - now) / 1_000_000L)));
            handleSelected();
            hold.minOpenInWindow = Math.min(hold.minOpenInWindow, hold.open);
        }
        hold.openAtWindowEnd = hold.open;
        for (Conn c : conns) {
            if (c.busy) {
                hold.heldAtWindowEnd++;
            }
        }
        hold.windowSeconds = (System.nanoTime() - start) / 1e9;
        for (Conn c : conns) {
            c.parser.gaps = null;
        }
        windowEnd = Long.MIN_VALUE;
        return hold;
    }

    /** Closes every stream's connection (the server sees each client go away mid-stream). */
    void holdClose() {
        for (Conn c : conns) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        conns.clear();
        hold.open = 0;
        holding = false;
    }

    private void openStream(int endpointIndex) {
        Conn c = new Conn(endpoints.get(endpointIndex), endpointIndex, marker);
        conns.add(c);
        try {
            if (open(c)) {
                connected(c);
            }
        } catch (IOException e) {
            result.error("connect: " + e.getMessage());
            closeQuietly(c);
        }
    }

    private void connected(Conn c) {
        hold.connected++;
        c.ready = true;
        hold.requestsSent++;
        send(c, System.nanoTime());
    }

    private void stopHolding(Conn c, long now) {
        if (c.streaming) {
            c.streaming = false;
            hold.open--;
        }
        c.busy = false;
        closeQuietly(c);
    }

    private static void closeQuietly(Conn c) {
        try {
            if (c.key != null) {
                c.key.cancel();
            }
            if (c.channel != null) {
                c.channel.close();
            }
        } catch (IOException ignored) {
            // closing a broken socket
        }
    }

    @Override
    public void close() {
        for (Conn c : conns) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
