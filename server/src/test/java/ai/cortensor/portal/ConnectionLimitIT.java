package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many slow connections at once, over real sockets against the real server: they do not keep a well-behaved client
 * from being served, and connections past {@code http.max-connections} are answered 503 and closed at once.
 */
class ConnectionLimitIT {
    static final int MAX = 260;
    static final int SLOW = 250;
    static PortalHarness harness;

    @BeforeAll
    static void start() {
        // header timeout long enough that the slow connections stay open for the whole test
        harness = new PortalHarness(Map.of("http.max-connections", Integer.toString(MAX),
                "http.header-timeout", "PT60S"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    /** {@code n} connections stuck in the middle of their headers (a request line, one header, then nothing). */
    private static List<RawClient> slowloris(int n) throws Exception {
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawClient c = new RawClient(harness.portal.port());
            c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: portal\r\n");
            clients.add(c);
        }
        return clients;
    }

    private static void closeAll(List<RawClient> clients) throws Exception {
        for (RawClient c : clients) {
            c.close();
        }
    }

    private static double openConnections() {
        return harness.metrics().lines().filter(l -> l.startsWith("portal_connections_open{listener=\"public\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    @Test
    void a_well_behaved_client_is_served_while_250_slow_connections_are_open() throws Exception {
        String key = harness.newKey("patient@example.com");
        List<RawClient> slow = slowloris(SLOW);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() >= SLOW);
            for (int i = 0; i < 5; i++) {
                assertThat(harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false))
                        .statusCode()).isEqualTo(200);
            }
            assertThat(slow).as("the slow connections are still open").noneMatch(RawClient::closed);
        } finally {
            closeAll(slow);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() < 10);
    }

    @Test
    void connections_past_the_bound_are_answered_503_and_closed_at_once() throws Exception {
        List<RawClient> slow = slowloris(MAX);
        List<RawClient> excess = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() >= MAX - 2);
            // the test's own HTTP client may hold a connection or two: fill up to the bound, then go past it
            for (int i = 0; i < 20; i++) {
                excess.add(new RawClient(harness.portal.port()));
            }
            for (RawClient c : excess.subList(5, 20)) {
                c.awaitClosed(5);
            }
            RawClient refused = excess.get(19);
            assertThat(refused.received()).startsWith("HTTP/1.1 503").contains("Retry-After: 1")
                    .contains("\"code\":\"too_many_connections\"");
            assertThat(harness.metrics()).containsPattern("portal_connections_refused_total\\{listener=\"public\"} [1-9]");
            assertThat(openConnections()).as("refused connections are not kept").isLessThanOrEqualTo(MAX);
        } finally {
            closeAll(slow);
            closeAll(excess);
        }
        // room again: a new client is served
        await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() < 10);
        assertThat(harness.get("/ready", null).statusCode()).isEqualTo(200);
    }
}
