package ai.cortensor.portal.web;

import ai.cortensor.portal.config.PortalConfig;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.Headers;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slow or too many clients cannot starve one listener: a bound on open connections, a deadline for each request's
 * line and headers, and one for its body.
 *
 * <p>What Helidon 4.5 provides is used: it closes connections idle between requests ({@code idleConnectionTimeout},
 * set to {@code http.idle-timeout}) and bounds the request line and headers (4 KB, 16 KB). What it lacks is written
 * here. Its server sockets have no read timeout at all ({@code connectionOptions().readTimeout()} is for clients),
 * and a per-read timeout would not stop slowloris anyway: every byte restarts it. Its {@code maxTcpConnections}
 * stops accepting past the bound, so excess clients wait unanswered in the kernel's backlog. So this guard is the
 * listener's only HTTP/1 connection selector. It wraps Helidon's: past {@code http.max-connections} a new connection
 * is answered 503 and closed at once; every other connection's socket reads go through {@link Watch}, which knows
 * whether the server is waiting for the client and since when, and one watchdog thread closes a connection that is
 * waiting longer than allowed — for the request line and headers more than {@code http.header-timeout} after their
 * first byte, for the body more than 1.5 × {@code http.body-timeout} after the headers. The gateway's own
 * {@code BoundedBody} answers 408 at {@code http.body-timeout} while the client still sends; the extra half is the
 * grace for that answer, the close is for a client that sends nothing. A watchdog sweep instead of a timer per
 * request keeps the request path at two volatile writes per socket read.
 */
public final class ConnectionGuard implements ServerConnectionSelector, HttpFeature {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final byte[] TOO_MANY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            + "Retry-After: 1\r\nConnection: close\r\nContent-Length: 175\r\n\r\n"
            + "{\"error\":{\"message\":\"This server has too many open connections. Please retry shortly.\","
            + "\"type\":\"server_error\",\"param\":null,\"code\":\"too_many_connections\",\"request_id\":null}}")
            .getBytes(StandardCharsets.US_ASCII);

    private final Http1ConnectionSelector http1;
    private final int maxConnections;
    private final long headerNanos;
    private final long bodyNanos;
    private final Duration idleTimeout;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Watch> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog;
    private final Counter refused;
    private final Counter headerTimeouts;
    private final Counter bodyTimeouts;

    /** {@code listener} names this listener in the metrics ({@code public}, {@code management}). */
    public ConnectionGuard(String listener, PortalConfig.Http http, MeterRegistry registry) {
        this.maxConnections = http.maxConnections();
        this.headerNanos = http.headerTimeout().toNanos();
        this.bodyNanos = http.bodyTimeout().toNanos() * 3 / 2;
        this.idleTimeout = http.idleTimeout();
        this.http1 = Http1ConnectionSelector.builder()
                .config(Http1Config.builder().addReceiveListener(new Http1ConnectionListener() {
                    @Override
                    public void headers(ConnectionContext ctx, Headers headers) {
                        if (ctx instanceof Watch w) {
                            w.headersRead();
                        }
                    }
                }).build())
                .build();
        Gauge.builder("portal_connections_open", open, AtomicInteger::get).tag("listener", listener)
                .description("Open client connections").register(registry);
        refused = Counter.builder("portal_connections_refused").tag("listener", listener)
                .description("Connections answered 503 and closed at once: http.max-connections were open")
                .register(registry);
        headerTimeouts = closedCounter(registry, listener, "headers");
        bodyTimeouts = closedCounter(registry, listener, "body");
        long sweepMillis = Math.clamp(Math.min(headerNanos, http.bodyTimeout().toNanos()) / 4_000_000, 50, 1_000);
        watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("connection-watchdog-" + listener).daemon(true).factory());
        watchdog.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    private static Counter closedCounter(MeterRegistry registry, String listener, String phase) {
        return Counter.builder("portal_connections_timed_out").tag("listener", listener).tag("phase", phase)
                .description("Connections closed because the client was too slow to send its request")
                .register(registry);
    }

    /** Makes this guard the listener's HTTP/1 handling, and sets Helidon's idle-connection timeout. */
    public <B extends ListenerConfig.BuilderBase<B, ?>> B applyTo(B listener) {
        // Helidon refreshes connections' idle time once a second; checking 4 times per timeout bounds the overshoot
        Duration period = idleTimeout.dividedBy(4);
        return listener.idleConnectionTimeout(idleTimeout)
                .idleConnectionPeriod(period.isZero() ? Duration.ofMillis(1) : period)
                .protocolsDiscoverServices(false) // no other HTTP/1 selector than this one
                .addConnectionSelector(this);
    }

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData data) {
        return http1.supports(data);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refused.increment();
            return new Refused(ctx);
        }
        try {
            Watch watch = new Watch(ctx);
            watch.connection = http1.connection(watch); // Helidon's connection reads through the watch
            watched.add(watch);
            return new Watched(watch);
        } catch (RuntimeException e) {
            open.decrementAndGet();
            throw e;
        }
    }

    /** Closes every connection that has kept the server waiting longer than its phase allows. */
    private void sweep() {
        long now = System.nanoTime();
        for (Watch w : watched) {
            try {
                switch (w.overdue(now, headerNanos, bodyNanos)) {
                    case HEADERS -> close(w, headerTimeouts, "request line and headers");
                    case BODY -> close(w, bodyTimeouts, "request body");
                    case IDLE -> { }
                }
            } catch (RuntimeException e) {
                log.warn("connection watchdog: {}", e.toString());
            }
        }
    }

    private void close(Watch w, Counter counter, String what) {
        if (watched.remove(w)) {
            counter.increment();
            // DEBUG: under a slowloris attack this would be a line per connection; the counter is the signal
            log.debug("closing a connection from {}: its {} did not arrive in time", w.remotePeer().host(), what);
            w.serverSocket().close(); // the blocked read fails, and the connection ends
        }
    }

    @Override
    public void setup(HttpRouting.Builder routing) {
        // nothing to route: a feature only to stop the watchdog with the listener
    }

    @Override
    public void afterStop() {
        watchdog.shutdownNow();
    }

    /** A connection past {@code http.max-connections}: 503 and close, without reading the request. */
    private final class Refused implements ServerConnection {
        private final ConnectionContext ctx;

        Refused(ConnectionContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void handle(io.helidon.common.concurrency.limits.Limit limit) {
            ctx.dataWriter().writeNow(BufferData.create(TOO_MANY));
            throw new CloseConnectionException("too many open connections");
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO;
        }

        @Override
        public void close(boolean interrupt) {
            ctx.serverSocket().close();
        }
    }

    /** Helidon's connection, counted while it lives. */
    private final class Watched implements ServerConnection, InterruptableTask<Void> {
        private final Watch watch;

        Watched(Watch watch) {
            this.watch = watch;
        }

        @Override
        public void handle(io.helidon.common.concurrency.limits.Limit limit) throws InterruptedException {
            try {
                watch.connection.handle(limit);
            } finally {
                watched.remove(watch);
                open.decrementAndGet();
            }
        }

        @Override
        public Duration idleTime() {
            return watch.connection.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            watch.connection.close(interrupt);
        }

        @Override
        public boolean canInterrupt() {
            return watch.readingPrologue();
        }

        @Override
        public Void call() {
            throw new UnsupportedOperationException("run by Helidon's connection handler, not as a task");
        }
    }
}
