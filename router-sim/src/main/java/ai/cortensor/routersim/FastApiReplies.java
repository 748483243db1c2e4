package ai.cortensor.routersim;

import java.nio.charset.StandardCharsets;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** JSON replies shaped like the router's FastAPI/uvicorn stack: {@code {"detail": ...}} errors, uvicorn headers. */
final class FastApiReplies {

    static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    static final Header EVENT_STREAM = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    static final Header SERVER = HeaderValues.createCached(HeaderNames.SERVER, "uvicorn");

    static final byte[] INVALID_API_KEY = detail("Invalid API key");
    static final byte[] SESSION_NOT_FOUND = detail("Session not found");
    static final byte[] NOT_FOUND = detail("Not Found");
    static final byte[] METHOD_NOT_ALLOWED = detail("Method Not Allowed");

    private FastApiReplies() {
    }

    static void send(ServerResponse res, Status status, byte[] json) {
        res.status(status);
        res.header(JSON);
        res.header(SERVER);
        res.send(json);
    }

    /** {@code {"detail":"<message>"}}; message must not need JSON escaping beyond quotes and backslashes. */
    static byte[] detail(String message) {
        return ("{\"detail\":\"" + escape(message) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Pydantic v1 validation error for one body field, as FastAPI renders it with status 422. */
    static byte[] validation(String location, String field, String msg, String type) {
        return ("{\"detail\":[{\"loc\":[\"" + location + "\",\"" + escape(field) + "\"],\"msg\":\"" + escape(msg)
                + "\",\"type\":\"" + type + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> c < 0x20 ? String.format("\\u%04x", (int) c) : null;
            };
            if (rep != null && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (rep != null) {
                    sb.append(rep);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }
}
