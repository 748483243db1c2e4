package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.ApiError;

/**
 * Maps a router's non-200 status to the customer-facing error. The router's own body is never passed on: it may
 * name sessions or internals, and the customer cannot act on it anyway.
 */
final class RouterErrors {
    private RouterErrors() {}

    static ApiError map(int routerStatus) {
        return switch (routerStatus) {
            case 401, 403 -> ApiError.server(502, "router_auth_failed",
                    "The inference backend refused the gateway's credentials. Operators have been alerted by metrics; please retry later.");
            case 404 -> ApiError.server(502, "router_session_unavailable",
                    "The inference backend session for this model is unavailable.");
            case 408, 504 -> ApiError.server(504, "router_timeout", "The inference backend did not answer in time.");
            case 422, 400 -> ApiError.server(502, "router_rejected_request",
                    "The inference backend rejected the request.");
            case 429, 503 -> ApiError.server(503, "router_overloaded",
                    "The inference backend is overloaded. Please retry shortly.");
            default -> ApiError.server(502, "router_error",
                    "The inference backend failed (status " + routerStatus + ").");
        };
    }
}
