package ai.cortensor.portal.web;

/**
 * A failure to report to an API client, shaped like OpenAI's error object
 * ({@code {"error":{"message","type","param","code","request_id"}}}). {@code message} must be safe to show: it never
 * carries a router URL, session id, key or stack trace.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Long retryAfterSeconds;

    public ApiError(int status, String type, String code, String param, String message, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiError invalidRequest(String code, String param, String message) {
        return new ApiError(400, "invalid_request_error", code, param, message, null);
    }

    public static ApiError notFound(String code, String param, String message) {
        return new ApiError(404, "invalid_request_error", code, param, message, null);
    }

    public static ApiError server(int status, String code, String message) {
        return new ApiError(status, "server_error", code, null, message, status == 503 ? 5L : null);
    }

    /** The same error blaming another field (a dialect's name for it). */
    public ApiError withParam(String otherParam) {
        return otherParam == null || otherParam.equals(param) ? this
                : new ApiError(status, type, code, otherParam, getMessage(), retryAfterSeconds);
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
    public String param() { return param; }
    public Long retryAfterSeconds() { return retryAfterSeconds; }
}
