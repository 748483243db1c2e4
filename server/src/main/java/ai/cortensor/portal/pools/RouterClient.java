package ai.cortensor.portal.pools;

import ai.cortensor.portal.config.PortalConfig;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Speaks to router targets over HTTP (Helidon WebClient, pooled keep-alive connections). It only moves bytes;
 * the proxy builds bodies and reads responses. Failures before a response are reported as {@link RouterFailure}.
 */
public final class RouterClient {
    private final WebClient client;
    private final Duration idleTimeout;
    private final Duration requestTimeout;

    public RouterClient(PortalConfig.Router config) {
        this.idleTimeout = config.readTimeout();
        this.requestTimeout = config.requestTimeout();
        this.client = WebClient.builder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .keepAlive(true)
                .followRedirects(false)
                .connectionCacheSize(2048)
                .sendExpectContinue(false)
                .socketOptions(o -> o.tcpNoDelay(true))
                .build();
    }

    /** An open router response; the caller must close it (this returns the connection to the pool or drops it). */
    public record Call(int status, String contentType, HttpClientResponse response) implements AutoCloseable {
        public InputStream body() {
            return response.inputStream();
        }

        /** The declared body length, or -1. */
        public long contentLength() {
            return response.headers().contentLength().orElse(-1);
        }

        @Override
        public void close() {
            response.close();
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
     * non-streaming answer arrives all at once, so it gets the whole {@code router.request-timeout}.
     */
    public Call post(RouterTarget target, byte[] body, boolean stream) {
        try {
            var request = client.post(target.completionsUrl())
                    .readTimeout(stream ? idleTimeout : requestTimeout)
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .header(HeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json");
            if (target.routerKey() != null) {
                request.header(HeaderNames.AUTHORIZATION, "Bearer " + target.routerKey());
            }
            HttpClientResponse response = request.submit(body);
            return new Call(response.status().code(),
                    response.headers().contentType().map(Object::toString).orElse(""), response);
        } catch (RuntimeException e) {
            throw new RouterFailure(isTimeout(e), e);
        }
    }

    /** A health probe: a GET that must answer 2xx within {@code timeout}; returns null when healthy, else why not. */
    public String probe(RouterTarget target, Duration timeout) {
        try {
            var request = client.get(target.probeUrl()).readTimeout(timeout);
            if (target.routerKey() != null) {
                request.header(HeaderNames.AUTHORIZATION, "Bearer " + target.routerKey());
            }
            try (HttpClientResponse response = request.request()) {
                int status = response.status().code();
                response.inputStream().readAllBytes();
                return status / 100 == 2 ? null : "status " + status;
            }
        } catch (Exception e) {
            return isTimeout(e) ? "timeout" : "unreachable";
        }
    }

    public static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof TimeoutException
                    || (t instanceof InterruptedIOException && !(t instanceof ConnectException))) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && m.toLowerCase().contains("timed out") && !(t instanceof ConnectException)) {
                return true;
            }
        }
        return false;
    }
}
