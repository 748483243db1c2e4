package ai.cortensor.routersim;

import java.util.Objects;
import java.util.Set;

/**
 * Static identity of one simulated router node.
 *
 * @param host       address to bind, e.g. {@code 127.0.0.1}
 * @param port       port to bind; 0 picks a free port (read it back with {@link RouterSim#port()})
 * @param name       node name; reported by {@code /api/v1/info} and as {@code model} in completions
 * @param apiKey     bearer token required on every {@code /api/...} route; {@code null} disables auth
 * @param sessionIds session ids that exist on this node; empty accepts any session id
 */
public record SimConfig(String host, int port, String name, String apiKey, Set<Long> sessionIds) {

    public SimConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(name, "name");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        sessionIds = Set.copyOf(Objects.requireNonNull(sessionIds, "sessionIds"));
    }

    /** 127.0.0.1, port 0, name "sim", apiKey "default-dev-token", sessions {1}. */
    public static SimConfig defaults() {
        return new SimConfig("127.0.0.1", 0, "sim", "default-dev-token", Set.of(1L));
    }

    public SimConfig withHost(String host) {
        return new SimConfig(host, port, name, apiKey, sessionIds);
    }

    public SimConfig withPort(int port) {
        return new SimConfig(host, port, name, apiKey, sessionIds);
    }

    public SimConfig withName(String name) {
        return new SimConfig(host, port, name, apiKey, sessionIds);
    }

    public SimConfig withApiKey(String apiKey) {
        return new SimConfig(host, port, name, apiKey, sessionIds);
    }

    public SimConfig withSessionIds(Set<Long> sessionIds) {
        return new SimConfig(host, port, name, apiKey, sessionIds);
    }

    /** True when a completion for {@code sessionId} is served (not answered with 404 "Session not found"). */
    public boolean hasSession(long sessionId) {
        return sessionIds.isEmpty() || sessionIds.contains(sessionId);
    }
}
