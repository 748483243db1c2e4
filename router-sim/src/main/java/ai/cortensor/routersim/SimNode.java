package ai.cortensor.routersim;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** State shared by the routes of one sim: identity, current behaviour, counters, latency clock. */
final class SimNode {

    final SimConfig config;
    final SimCounters counters = new SimCounters();
    final Pacer pacer = new Pacer();
    final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();
    /** The node name as a JSON string literal, quotes included. */
    final String modelJson;
    final long startedNanos = System.nanoTime();

    private volatile ActiveBehavior active = ActiveBehavior.of(Behavior.defaults());

    SimNode(SimConfig config) {
        this.config = config;
        this.modelJson = "\"" + FastApiReplies.escape(config.name()) + "\"";
    }

    ActiveBehavior active() {
        return active;
    }

    synchronized void behave(Behavior behavior) {
        active = ActiveBehavior.of(Objects.requireNonNull(behavior, "behavior"));
    }

    synchronized void resetStats() {
        counters.reset();
        active = ActiveBehavior.of(active.behavior());
    }

    byte[] json(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
