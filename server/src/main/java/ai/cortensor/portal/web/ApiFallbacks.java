package ai.cortensor.portal.web;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** OpenAI-shaped answers for requests no handler takes: unknown path, wrong method, unexpected failure. */
public final class ApiFallbacks {
    private static final Logger log = LoggerFactory.getLogger(ApiFallbacks.class);
    private ApiFallbacks() {}

    public static void methodNotAllowed(ServerRequest req, ServerResponse res) {
        send(res, new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                "Method " + req.prologue().method().text() + " is not allowed on " + req.path().path() + ".", null));
    }

    public static void notFound(ServerRequest req, ServerResponse res) {
        send(res, new ApiError(404, "invalid_request_error", "unknown_url", null,
                "Unknown request URL: " + req.prologue().method().text() + " " + req.path().path() + ".", null));
    }

    /** Last resort: logs the failure server-side (with the request id) and answers without any detail. */
    public static void unexpected(ServerRequest req, ServerResponse res, Throwable t) {
        String requestId = res.headers().first(WebHeaders.REQUEST_ID).orElse("unknown");
        log.error("unhandled error on {} {} (request {})", req.prologue().method().text(), req.path().path(),
                requestId, t);
        if (!res.isSent()) {
            ErrorResponses.send(res, ApiError.server(500, "internal_error",
                    "The server had an error while processing your request. Quote the request id if you contact support."),
                    requestId);
        }
    }

    private static void send(ServerResponse res, ApiError e) {
        ErrorResponses.send(res, e, WebHeaders.requestId(res));
    }
}
