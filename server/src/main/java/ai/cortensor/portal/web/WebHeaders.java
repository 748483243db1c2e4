package ai.cortensor.portal.web;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.ServerResponse;
import java.time.InstantSource;

/** Header names the product sets, and the filter that gives every response its {@code x-request-id}. */
public final class WebHeaders {
    public static final HeaderName REQUEST_ID = HeaderNames.create("x-request-id");
    public static final HeaderName PROCESSING_MS = HeaderNames.create("openai-processing-ms");
    public static final HeaderName ACCEL_BUFFERING = HeaderNames.create("x-accel-buffering");

    private WebHeaders() {}

    /** Assigns the request id before any handler runs; handlers read it back with {@link #requestId}. */
    public static Filter requestIdFilter(InstantSource clock) {
        return (chain, req, res) -> {
            res.header(REQUEST_ID, RequestIds.next(clock.millis()));
            chain.proceed();
        };
    }

    public static String requestId(ServerResponse res) {
        return res.headers().first(REQUEST_ID).orElseThrow();
    }
}
