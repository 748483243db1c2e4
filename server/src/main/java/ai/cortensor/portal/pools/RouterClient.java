package ai.cortensor.portal.pools;

import ai.cortensor.portal.config.PortalConfig;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSocketFactory;

/**
 * Speaks HTTP/1.1 to router targets: one request shape (a POST of a JSON body, or a probe's GET), pooled keep-alive
 * connections per router address, request heads encoded once per target, and response bodies read straight from
 * the connection's buffer. It only moves bytes; the gateway builds bodies and reads responses. Failures before a
 * response are reported as {@link RouterFailure}.
 *
 * <p>Built for this one call rather than on a general HTTP client: Helidon's WebClient cost ~20 % of the
 * gateway's CPU per request (URI parsing, proxy selection, header objects, per-request allocation; see
 * docs/benchmarks.md). No redirects, no proxies, no compression: routers are backend capacity addressed directly.
 */
public final class RouterClient implements AutoCloseable {
    private static final byte[] EMPTY = new byte[0];
    /** Idle connections kept per router address. */
    private static final int MAX_IDLE = 2048;
    /** A pooled connection idle longer than this is not reused (routers close idle connections after a while). */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final int MAX_PREPARED = 10_000;

    private final SSLSocketFactory tlsFactory;
    private final int connectTimeoutMillis;
    private final int idleTimeoutMillis;
    private final int requestTimeoutMillis;
    private final int streamTimeoutMillis;
    private final ConcurrentHashMap<String, RouterEndpoint> endpoints = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RouterTarget, Prepared> prepared = new ConcurrentHashMap<>();

    public RouterClient(PortalConfig.Router config) {
        this(config, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** With the given TLS sockets (the JDK's default trust store in production; a test's own in tests). */
    public RouterClient(PortalConfig.Router config, SSLSocketFactory tlsFactory) {
        this.tlsFactory = tlsFactory;
        this.connectTimeoutMillis = millis(config.connectTimeout());
        this.idleTimeoutMillis = millis(config.readTimeout());
        this.requestTimeoutMillis = millis(config.requestTimeout());
        this.streamTimeoutMillis = millis(config.streamTimeout());
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /** A target's address and request heads, encoded once: everything up to the {@code Content-Length} value. */
    private record Prepared(RouterEndpoint endpoint, byte[] streamHead, byte[] wholeHead, byte[] probeHead) {}

    /** An open router response; the caller must close it (this returns the connection to the pool or drops it). */
    public static final class Call implements AutoCloseable {
        private final RouterConnection conn;
        private final RouterResponseHead head;
        private final RouterBody body;
        private boolean closed;
        private volatile boolean cancelled;

        Call(RouterConnection conn, RouterResponseHead head) {
            this.conn = conn;
            this.head = head;
            this.body = new RouterBody(conn, head);
        }

        public int status() {
            return head.status();
        }

        public String contentType() {
            return head.contentType();
        }

        public InputStream body() {
            return body;
        }

        /** The declared body length, or -1. */
        public long contentLength() {
            return head.chunked() ? -1 : head.contentLength();
        }

        /**
         * Returns the connection to its pool when the body was read to its end; otherwise closes it, which is also
         * how a request the client abandoned is cancelled at the router.
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (!cancelled && body.reusable() && !head.close() && conn.drained()) {
                conn.endpoint.release(conn);
            } else {
                conn.close();
            }
        }

        /**
         * Closes the connection now, from any thread: a read blocked on it fails at once, and the router sees the
         * request cancelled. {@link #close()} must still be called by the reading thread.
         */
        public void cancel() {
            cancelled = true;
            conn.close();
        }
    }

    /** Why a router could not be reached or did not answer in time; never carries the URL to a customer. */
    public static final class RouterFailure extends RuntimeException {
        private final boolean timeout;

        RouterFailure(boolean timeout, Throwable cause) {
            super(timeout ? "router timed out" : "router unreachable", cause, false, false);
            this.timeout = timeout;
        }

        public boolean timeout() {
            return timeout;
        }
    }

    /**
     * Sends a completion. A stream may stay silent for at most {@code router.read-timeout} between bytes; a
     * non-streaming answer arrives all at once, so it gets the whole {@code router.request-timeout}, and no read of
     * it starts after that deadline: a router that trickles a whole answer forever is cut off. A stream may
     * legitimately run long while its tokens keep coming, so its deadline is the longer {@code router.stream-timeout}.
     */
    public Call post(RouterTarget target, byte[] body, boolean stream) {
        Prepared p = prepared(target);
        return exchange(p.endpoint(), stream ? p.streamHead() : p.wholeHead(), body,
                stream ? idleTimeoutMillis : requestTimeoutMillis,
                deadline(stream ? streamTimeoutMillis : requestTimeoutMillis));
    }

    /** What {@link #probe} returns when the router did not answer in time. */
    public static final String PROBE_TIMEOUT = "timeout";

    /**
     * A health probe: a GET that must answer 2xx within {@code timeout}; returns null when healthy, else why not:
     * {@link #PROBE_TIMEOUT}, {@code unreachable} or {@code status <code>}.
     */
    public String probe(RouterTarget target, Duration timeout) {
        try {
            Prepared p = prepared(target);
            try (Call call = exchange(p.endpoint(), p.probeHead(), EMPTY, millis(timeout), deadline(millis(timeout)))) {
                call.body().skip(64 * 1024);
                return call.status() / 100 == 2 ? null : "status " + call.status();
            }
        } catch (Exception e) {
            return isTimeout(e) ? PROBE_TIMEOUT : "unreachable";
        }
    }

    /**
     * Writes one request and reads the response head. A pooled connection the router closed while it idled fails
     * on its first write or read; the request is then sent once more on a new connection (nothing reached the
     * router on the old one).
     */
    private static long deadline(int millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private Call exchange(RouterEndpoint endpoint, byte[] head, byte[] body, int readMillis, long deadline) {
        RouterConnection conn = endpoint.pooled();
        boolean reused = conn != null;
        try {
            if (conn == null) {
                conn = endpoint.connect(connectTimeoutMillis, tlsFactory);
            }
            return send(conn, head, body, readMillis, deadline);
        } catch (IOException | RuntimeException e) {
            if (conn != null) {
                conn.close();
            }
            if (!reused || isTimeout(e) || !(e instanceof IOException)) {
                throw new RouterFailure(isTimeout(e), e);
            }
        }
        RouterConnection fresh = null;
        try {
            fresh = endpoint.connect(connectTimeoutMillis, tlsFactory);
            return send(fresh, head, body, readMillis, deadline);
        } catch (IOException | RuntimeException e) {
            if (fresh != null) {
                fresh.close();
            }
            throw new RouterFailure(isTimeout(e), e);
        }
    }

    private static Call send(RouterConnection conn, byte[] head, byte[] body, int readMillis, long deadline)
            throws IOException {
        conn.timeouts(readMillis, deadline);
        conn.write(head, body);
        RouterResponseHead response = conn.readHead();
        return new Call(conn, response);
    }

    private Prepared prepared(RouterTarget target) {
        Prepared p = prepared.get(target);
        if (p != null) {
            return p;
        }
        if (prepared.size() >= MAX_PREPARED) {
            prepared.clear(); // targets were edited many times; heads are cheap to encode again
        }
        return prepared.computeIfAbsent(target, this::prepare);
    }

    private Prepared prepare(RouterTarget target) {
        URI base = URI.create(target.baseUrl());
        String scheme = base.getScheme() == null ? "http" : base.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RouterFailure(false, new IOException("unsupported router URL scheme " + scheme));
        }
        String key = scheme + "://" + base.getHost() + ":" + base.getPort();
        RouterEndpoint endpoint = endpoints.computeIfAbsent(key, k -> new RouterEndpoint(base, MAX_IDLE, IDLE_NANOS));
        String post = path(target.completionsUrl());
        String probe = path(target.probeUrl());
        return new Prepared(endpoint, head("POST", post, endpoint, "text/event-stream", target.routerKey()),
                head("POST", post, endpoint, "application/json", target.routerKey()),
                head("GET", probe, endpoint, "*/*", target.routerKey()));
    }

    private static String path(String url) {
        URI u = URI.create(url);
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    }

    private static byte[] head(String method, String path, RouterEndpoint endpoint, String accept, String routerKey) {
        if (routerKey != null && routerKey.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            // a control character would end the header line early; refuse rather than send a broken request
            throw new RouterFailure(false, new IOException("the router key has a character HTTP headers cannot carry"));
        }
        StringBuilder h = new StringBuilder(256)
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(endpoint.authority).append("\r\n")
                .append("User-Agent: cortensor-portal\r\n")
                .append("Accept: ").append(accept).append("\r\n");
        if (method.equals("POST")) {
            h.append("Content-Type: application/json\r\n");
        }
        if (routerKey != null) {
            h.append("Authorization: Bearer ").append(routerKey).append("\r\n");
        }
        return h.append("Content-Length: ").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Closes every idle connection (in-flight calls close theirs). */
    @Override
    public void close() {
        endpoints.values().forEach(RouterEndpoint::closeIdle);
    }

    public static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof TimeoutException
                    || (t instanceof InterruptedIOException && !(t instanceof ConnectException))) {
                return true;
            }
            if (t instanceof EOFException) {
                return false;
            }
            String m = t.getMessage();
            if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("timed out") && !(t instanceof ConnectException)) {
                return true;
            }
        }
        return false;
    }
}
