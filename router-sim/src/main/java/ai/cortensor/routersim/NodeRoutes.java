package ai.cortensor.routersim;

import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;

/** Health and identity routes of the router: {@code /api/v1/ping}, {@code /api/v1/info}, {@code /api/v1/status}. */
final class NodeRoutes {

    /** Version string the sim reports in {@code /api/v1/info}. */
    static final String VERSION = "0.0.0-sim";
    /** Miners the sim claims to be connected to: two, matching {@code interleaveMiners}. */
    static final int MINERS = 2;

    private static final byte[] PING = SimNode.ascii("{\"status\":\"ok\"}");
    private static final byte[] DOWN = SimNode.ascii("{\"detail\":\"node unhealthy\"}");

    private final SimNode node;
    private final byte[] info;

    NodeRoutes(SimNode node) {
        this.node = node;
        Map<String, Object> nodeStats = new LinkedHashMap<>();
        nodeStats.put("dedicated_count", 0);
        nodeStats.put("ephemeral_count", MINERS);
        nodeStats.put("total_count", MINERS);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", node.config.name());
        m.put("version", VERSION);
        m.put("address", address(node.config.name()));
        m.put("ip_address", node.config.host());
        m.put("active_sessions", sessions());
        m.put("total_sessions", sessions());
        m.put("node_stats", nodeStats);
        this.info = node.json(m);
    }

    void register(HttpRouting.Builder routing) {
        routing.get("/api/v1/ping", (req, res) -> {
            if (down()) {
                FastApiReplies.send(res, Status.SERVICE_UNAVAILABLE_503, DOWN);
            } else {
                FastApiReplies.send(res, Status.OK_200, PING);
            }
        });
        routing.get("/api/v1/info", (req, res) -> FastApiReplies.send(res, Status.OK_200, info));
        routing.get("/api/v1/status", (req, res) -> FastApiReplies.send(res, Status.OK_200, status()));
    }

    /**
     * A node whose every completion fails (5xx, timeout or reset on every request) reports itself unhealthy on
     * ping, as a broken router would; occasional failures ({@code failEveryNth} > 1) and mid-stream cuts do not.
     */
    private boolean down() {
        Behavior b = node.active().behavior();
        return b.failEveryNth() == 1 && b.failure() != Behavior.Failure.NONE
                && b.failure() != Behavior.Failure.CUT_MID_STREAM;
    }

    private byte[] status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("active_sessions", sessions());
        m.put("connected_miners", MINERS);
        m.put("cpu_usage", 1.0 + node.counters.inFlight.get() * 0.5);
        m.put("memory_usage", 12.5);
        m.put("uptime", (System.nanoTime() - node.startedNanos) / 1_000_000_000L);
        return node.json(m);
    }

    /** Configured session count; 1 when any session id is accepted. */
    private int sessions() {
        return Math.max(1, node.config.sessionIds().size());
    }

    /** A stable, name-derived 20-byte hex address, e.g. {@code 0x5f0c...}. */
    static String address(String name) {
        StringBuilder sb = new StringBuilder("0x");
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < 40; i++) {
            h ^= i < name.length() ? name.charAt(i) : i;
            h *= 0x100000001b3L;
            sb.append(Character.forDigit((int) ((h >>> 60) & 0xf), 16));
        }
        return sb.toString();
    }
}
