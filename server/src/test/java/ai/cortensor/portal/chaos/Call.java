package ai.cortensor.portal.chaos;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one chaos client saw of one request, from its own reading of the bytes: the request id (header
 * {@code x-request-id}), the HTTP status (0 when none came back), whether the whole answer arrived (a whole JSON body,
 * or the dialect's final stream event), whether a stream ended with the dialect's error event instead, and the usage
 * the answer reported.
 */
record Call(Kind kind, String key, String requestId, int status, boolean complete, boolean errorEvent, String errorCode,
            Long promptTokens, Long completionTokens, long startNanos, long endNanos, String failure) {

    /** The request shapes the load mixes: Chat Completions mostly, some Messages and Responses, 30 % streams. */
    enum Kind {
        CHAT("/v1/chat/completions", false), CHAT_STREAM("/v1/chat/completions", true),
        MESSAGES("/v1/messages", false), MESSAGES_STREAM("/v1/messages", true),
        RESPONSES("/v1/responses", false), RESPONSES_STREAM("/v1/responses", true);

        final String path;
        final boolean stream;

        Kind(String path, boolean stream) {
            this.path = path;
            this.stream = stream;
        }

        /** The k-th request of a client: 30 % streams, half the rest plain chat, every dialect in both modes. */
        static Kind nth(long k) {
            return switch ((int) (k % 10)) {
                case 0, 5 -> CHAT_STREAM;
                case 7 -> k % 20 == 7 ? MESSAGES_STREAM : RESPONSES_STREAM;
                case 3 -> MESSAGES;
                case 8 -> RESPONSES;
                default -> CHAT;
            };
        }

        byte[] body(String model) {
            String prompt = "Say hello to the chaos test";
            String json = switch (this) {
                case CHAT -> "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
                case CHAT_STREAM -> "{\"model\":\"" + model + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
                case MESSAGES, MESSAGES_STREAM -> "{\"model\":\"" + model + "\",\"max_tokens\":512,\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
                case RESPONSES, RESPONSES_STREAM -> "{\"model\":\"" + model + "\",\"store\":false,\"stream\":" + stream
                        + ",\"input\":\"" + prompt + "\"}";
            };
            return json.getBytes(StandardCharsets.UTF_8);
        }

        Map<String, String> headers(String key) {
            return this == MESSAGES || this == MESSAGES_STREAM
                    ? Map.of("x-api-key", key, "anthropic-version", "2023-06-01")
                    : Map.of("Authorization", "Bearer " + key);
        }
    }

    /** The gateway answered with a status line. */
    boolean answered() {
        return status > 0;
    }

    /** The client holds a whole answer: a complete body or final event, or a stream's explicit error event. */
    boolean received() {
        return complete || errorEvent;
    }

    /** Something was served to the client (and must be metered): a whole 200 answer, or a stream cut with an error event. */
    boolean served() {
        return status == 200 && received();
    }

    /** A 200 stream that broke off without its final event or an error event: what must never happen. */
    boolean bareCut() {
        return status == 200 && kind.stream && !received();
    }

    boolean succeeded() {
        return status == 200 && complete && !errorEvent;
    }

    double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    /** Reads a response the way the dialect's client library would. */
    static Call of(Kind kind, String key, RawHttp.Response r, long startNanos, long endNanos) {
        String id = r.header("x-request-id");
        if (r.status() != 200) {
            JsonNode error = parse(r.text());
            String code = error == null ? null : error.path("error").path("code").asText(
                    error.path("error").path("type").asText(null));
            return new Call(kind, key, id, r.status(), r.complete() && error != null, false, code, null, null, startNanos,
                    endNanos, r.cut());
        }
        if (!kind.stream) {
            JsonNode body = r.complete() ? parse(r.text()) : null;
            JsonNode usage = body == null ? null : body.get("usage");
            boolean whole = usage != null && usage.isObject();
            return new Call(kind, key, id, 200, whole, false, null, whole ? prompt(usage) : null,
                    whole ? completion(usage) : null, startNanos, endNanos, whole ? null : "incomplete body: " + r.cut());
        }
        boolean done = false;
        boolean error = false;
        String code = null;
        JsonNode usage = null;
        for (String[] event : events(r.text())) {
            String name = event[0];
            String data = event[1];
            if (data == null) {
                continue;
            }
            if (data.equals("[DONE]")) {
                done = kind == Kind.CHAT_STREAM;
                continue;
            }
            JsonNode json = parse(data);
            if (json == null) {
                continue;
            }
            switch (kind) {
                case CHAT_STREAM -> {
                    if (json.has("error")) {
                        error = true;
                        code = json.path("error").path("code").asText(null);
                    } else if (json.path("usage").isObject()) {
                        usage = json.get("usage");
                    }
                }
                case MESSAGES_STREAM -> {
                    switch (name == null ? "" : name) {
                        case "message_stop" -> done = true;
                        case "message_delta" -> usage = json.get("usage");
                        case "error" -> {
                            error = true;
                            code = json.path("error").path("type").asText(null);
                        }
                        default -> { }
                    }
                }
                case RESPONSES_STREAM -> {
                    switch (name == null ? "" : name) {
                        case "response.completed", "response.incomplete" -> {
                            done = true;
                            usage = json.path("response").get("usage");
                        }
                        case "response.failed", "error" -> {
                            error = true;
                            code = code != null ? code : json.path("code").asText(null);
                        }
                        default -> { }
                    }
                }
                default -> throw new IllegalStateException("not a stream: " + kind);
            }
        }
        boolean withUsage = usage != null && usage.isObject();
        return new Call(kind, key, id, 200, done && !error, error, code, withUsage ? prompt(usage) : null,
                withUsage ? completion(usage) : null, startNanos, endNanos,
                done || error ? null : "stream ended without its final event" + (r.cut() == null ? "" : ": " + r.cut()));
    }

    /** A request that got no status line at all (refused, reset, or timed out before the head). */
    static Call unanswered(Kind kind, String key, long startNanos, long endNanos, Exception e) {
        return new Call(kind, key, null, 0, false, false, null, null, null, startNanos, endNanos, e.toString());
    }

    /** SSE events as [event name or null, joined data or null]. */
    private static List<String[]> events(String sse) {
        List<String[]> out = new java.util.ArrayList<>();
        for (String block : sse.split("\n\n")) {
            String name = null;
            StringBuilder data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(5).strip());
                }
            }
            if (name != null || data != null) {
                out.add(new String[] {name, data == null ? null : data.toString()});
            }
        }
        return out;
    }

    private static Long prompt(JsonNode usage) {
        JsonNode n = usage.has("prompt_tokens") ? usage.get("prompt_tokens") : usage.get("input_tokens");
        return n == null || !n.isNumber() ? null : n.asLong();
    }

    private static Long completion(JsonNode usage) {
        JsonNode n = usage.has("completion_tokens") ? usage.get("completion_tokens") : usage.get("output_tokens");
        return n == null || !n.isNumber() ? null : n.asLong();
    }

    private static JsonNode parse(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return n != null && n.isObject() ? n : null;
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s status=%d complete=%s errorEvent=%s code=%s %.2fs%s", kind, requestId,
                status, complete, errorEvent, errorCode, seconds(), failure == null ? "" : " (" + failure + ")");
    }
}
