package ai.cortensor.portal.dialects.messages;

import ai.cortensor.portal.gateway.EventStream;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * Anthropic's error object, {@code {"type":"error","error":{"type","message","details":{"error_code"}},
 * "request_id"}}: the type follows the status as Anthropic's does, the message starts with the field it is about
 * ({@code "max_tokens: Field required"}), since the object has no {@code param}, and {@code details.error_code}
 * carries the same stable code as the OpenAI shapes' {@code code} (e.g. {@code model_disabled}).
 */
final class AnthropicErrors {
    private AnthropicErrors() {}

    static String type(int status) {
        return switch (status) {
            case 400, 405, 409, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            case 504 -> "timeout_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /** The message as Anthropic writes it: prefixed with the field's path, unless it already names it. */
    static String message(ApiError e) {
        if ("missing_api_key".equals(e.code())) {
            return "x-api-key header is required (or send 'Authorization: Bearer <key>').";
        }
        String param = e.param();
        String m = e.getMessage();
        if (param == null || m.contains("'" + param + "'") || m.startsWith(param + ":")) {
            return m;
        }
        return param + ": " + m;
    }

    static byte[] body(ApiError e, String requestId) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeObjectFieldStart("error");
            g.writeStringField("type", type(e.status()));
            g.writeStringField("message", message(e));
            if (e.code() != null) { // Anthropic's place for a machine-readable code (the SDKs' errorCode())
                g.writeObjectFieldStart("details");
                g.writeStringField("error_code", e.code());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
        });
    }

    /** The {@code error} event that ends a stream the router broke. */
    static byte[] event(ApiError e, String requestId) {
        return EventStream.event("error", body(e, requestId));
    }

    /** Answers {@code e} outside the pipeline (count_tokens, wrong method, unknown path). */
    static void send(ServerResponse res, ApiError e, String requestId) {
        res.status(e.status());
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        if (e.retryAfterSeconds() != null) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        res.send(body(e, requestId));
    }
}
