package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.json.Json;
import ai.cortensor.routersim.Behavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Routers that break in ways no timeout per read catches — garbage, a line that never ends, a byte every 200 ms
 * forever, silence before the first byte — end in a bounded time with a clear error and a correct record; and a
 * client that leaves mid-stream cancels the router's work.
 */
class BrokenRoutersIT {
    /** Generous next to the configured deadlines (1 s between bytes, 3 s per answer or stream, two targets). */
    private static final long BOUND_MILLIS = 15_000;
    static PortalHarness harness;
    static String key;

    @BeforeAll
    static void start() {
        harness = new PortalHarness(Map.of("router.read-timeout", "PT1S", "router.request-timeout", "PT3S",
                "router.stream-timeout", "PT3S", "health.eject-after-failures", "1000",
                "health.min-requests", "1000000", "health.probe-interval", "PT1H"));
        key = harness.newKey("broken@example.com");
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void healthy() {
        harness.behave(Behavior.defaults());
    }

    @ParameterizedTest(name = "{0}, stream={1} -> {2} {3}")
    @CsvSource({
            "GARBAGE, false, 502, router_bad_response",
            "GARBAGE, true, 502, router_stream_interrupted",
            "ENDLESS_LINE, false, 502, router_bad_response",
            "ENDLESS_LINE, true, 502, router_stream_interrupted",
            "TRICKLE, false, 504, router_timeout",
            "TRICKLE, true, 504, router_timeout",
            "TIMEOUT, true, 504, router_timeout",
    })
    void a_broken_router_ends_in_bounded_time_with_a_clear_error_and_a_failed_record(Behavior.Failure failure,
            boolean stream, int status, String code) throws Exception {
        harness.behave(Behavior.defaults().withFailure(failure).withTimeoutMillis(60_000));

        long t0 = System.nanoTime();
        HttpResponse<String> r = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", stream));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(millis).isLessThan(BOUND_MILLIS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = Json.MAPPER.readTree(r.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(error.get("request_id").asText()).isEqualTo(id);
        assertThat(r.body()).doesNotContain(harness.simA.baseUrl()).doesNotContain("xxxxxxxx").doesNotContain("html");

        Map<String, Object> log = await().atMost(Duration.ofSeconds(10))
                .until(() -> harness.requestLog(id), m -> !m.isEmpty());
        assertThat(log.get("status")).isEqualTo("failed");
        assertThat(log.get("error_code")).isEqualTo(code);
        assertThat(log.get("http_status")).isEqualTo(status);
        assertThat(harness.usageEvents(id)).as("nothing reached the client, nothing is billed").isEmpty();
    }

    @Test
    void a_client_leaving_mid_stream_closes_the_router_request_and_is_metered_once() throws Exception {
        harness.behave(Behavior.defaults().withCompletionTokens(2_000).withTokensPerSecond(100)); // 20 s of tokens
        long disconnectsBefore = harness.simA.clientDisconnects() + harness.simB.clientDisconnects();
        HttpRequest req = HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(PortalHarness.chatBody("qwen", true))).build();
        HttpResponse<InputStream> r = harness.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            int frames = 0;
            while (frames < 10) {
                if (in.readLine().startsWith("data:")) {
                    frames++;
                }
            }
        }
        long left = System.nanoTime();

        await().atMost(Duration.ofSeconds(5)).until(() ->
                harness.simA.clientDisconnects() + harness.simB.clientDisconnects() > disconnectsBefore);
        long cancelledAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left);
        assertThat(cancelledAfter).as("the router saw the cancellation long before its 20 s of tokens ended")
                .isLessThan(5_000);

        Map<String, Object> log = await().atMost(Duration.ofSeconds(10))
                .until(() -> harness.requestLog(id), m -> !m.isEmpty());
        assertThat(log.get("status")).isEqualTo("cancelled");
        List<Map<String, Object>> usage = harness.usageEvents(id);
        assertThat(usage).hasSize(1);
        assertThat((Integer) usage.get(0).get("completion_tokens")).isBetween(10, 1_999);
    }
}
