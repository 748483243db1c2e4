package ai.cortensor.routersim;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Unauthenticated scripting endpoints under {@code /_sim}. Behaviour JSON uses the {@link Behavior} component names
 * ({@code ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks, interleaveMiners,
 * usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens, dropSpecialTokens, script,
 * jsonNonCompliantAttempts, jsonFault}); enum values ({@code failure}, {@code stopTokens}, {@code jsonFault}) are
 * their names in any case; {@code script} is an array of strings ({@code []} switches it off).
 * <ul>
 *   <li>{@code GET /_sim/behavior}: current behaviour</li>
 *   <li>{@code PUT /_sim/behavior}: merge the given fields into the current behaviour, reply with the result;
 *       422 {@code {"detail": ...}} for unknown fields or invalid values (nothing changes then)</li>
 *   <li>{@code GET /_sim/stats}: {@link SimStats} components plus {@code clientDisconnects}</li>
 *   <li>{@code POST /_sim/reset}: default behaviour and zeroed stats, reply with the behaviour</li>
 * </ul>
 */
final class ControlRoutes {

    private final SimNode node;

    ControlRoutes(SimNode node) {
        this.node = node;
    }

    void register(HttpRouting.Builder routing) {
        routing.get("/_sim/behavior", (req, res) -> ok(res, node.active().behavior()));
        routing.put("/_sim/behavior", this::merge);
        routing.get("/_sim/stats", (req, res) -> ok(res, stats()));
        routing.post("/_sim/reset", (req, res) -> {
            node.behave(Behavior.defaults());
            node.resetStats();
            ok(res, node.active().behavior());
        });
    }

    private void merge(ServerRequest req, ServerResponse res) {
        Behavior merged;
        synchronized (node) {
            try {
                JsonNode patch = node.mapper.readTree(req.content().as(byte[].class));
                if (patch == null || !patch.isObject()) {
                    invalid(res, "body must be a JSON object of Behavior fields");
                    return;
                }
                ObjectNode current = node.mapper.valueToTree(node.active().behavior());
                for (Map.Entry<String, JsonNode> field : patch.properties()) {
                    if (!current.has(field.getKey())) {
                        invalid(res, "unknown Behavior field: " + field.getKey());
                        return;
                    }
                    current.set(field.getKey(), field.getValue());
                }
                merged = node.mapper.treeToValue(current, Behavior.class);
            } catch (IOException | IllegalArgumentException e) {
                invalid(res, reason(e));
                return;
            }
            node.behave(merged);
        }
        ok(res, merged);
    }

    private Map<String, Object> stats() {
        SimStats s = node.counters.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("completions", s.completions());
        m.put("failuresInjected", s.failuresInjected());
        m.put("inFlight", s.inFlight());
        m.put("streamsStarted", s.streamsStarted());
        m.put("clientDisconnects", node.counters.clientDisconnects.sum());
        m.put("lastBodies", s.lastBodies());
        return m;
    }

    private static String reason(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t instanceof JacksonException je ? je.getOriginalMessage() : String.valueOf(t.getMessage());
    }

    private void ok(ServerResponse res, Object value) {
        FastApiReplies.send(res, Status.OK_200, node.json(value));
    }

    private static void invalid(ServerResponse res, String message) {
        FastApiReplies.send(res, Status.UNPROCESSABLE_CONTENT_422, FastApiReplies.detail(message));
    }
}
