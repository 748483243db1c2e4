package ai.cortensor.portal.pools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One router address (scheme, host, port) and its idle keep-alive connections, most recently used first. At most
 * {@code maxIdle} are kept; a connection idle longer than {@code idleNanos} is closed instead of reused (the router
 * may have dropped it).
 */
final class RouterEndpoint {
    final String host;
    final int port;
    final boolean tls;
    /** {@code host[:port]} as the Host header says it. */
    final String authority;
    private final ConcurrentLinkedDeque<RouterConnection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final int maxIdle;
    private final long idleNanos;

    RouterEndpoint(URI base, int maxIdle, long idleNanos) {
        this.tls = "https".equalsIgnoreCase(base.getScheme());
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        this.authority = base.getPort() > 0 ? host + ":" + port : host;
        this.maxIdle = maxIdle;
        this.idleNanos = idleNanos;
    }

    /** A pooled connection that has not idled too long, or null. */
    RouterConnection pooled() {
        RouterConnection c;
        while ((c = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            if (System.nanoTime() - c.idleSinceNanos < idleNanos) {
                return c;
            }
            c.close();
        }
        return null;
    }

    RouterConnection connect(int connectTimeoutMillis, SSLSocketFactory tlsFactory) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            if (tls) {
                SSLSocket ssl = (SSLSocket) tlsFactory.createSocket(socket, host, port, true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                if (!Character.isDigit(host.charAt(host.length() - 1)) && host.indexOf(':') < 0) {
                    params.setServerNames(List.of(new SNIHostName(host)));
                }
                ssl.setSSLParameters(params);
                ssl.setSoTimeout(connectTimeoutMillis);
                ssl.startHandshake();
                return new RouterConnection(this, ssl);
            }
            return new RouterConnection(this, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Takes back a connection whose last response was read to its end. */
    void release(RouterConnection c) {
        if (idleCount.incrementAndGet() > maxIdle) {
            idleCount.decrementAndGet();
            c.close();
            return;
        }
        c.idleSinceNanos = System.nanoTime();
        idle.offerFirst(c);
    }

    /** Closes every idle connection. */
    void closeIdle() {
        RouterConnection c;
        while ((c = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            c.close();
        }
    }
}
