package ai.cortensor.portal.web;

import ai.cortensor.portal.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/** Writes an {@link ApiError} as the OpenAI error object. */
public final class ErrorResponses {
    private ErrorResponses() {}

    public static byte[] body(ApiError e, String requestId) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", e.getMessage());
            g.writeStringField("type", e.type());
            g.writeStringField("param", e.param());
            g.writeStringField("code", e.code());
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    public static void send(ServerResponse res, ApiError e, String requestId) {
        res.status(e.status());
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        if (e.retryAfterSeconds() != null) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        res.send(body(e, requestId));
    }
}
