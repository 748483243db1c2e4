package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that send their request slowly, or not at all, over real sockets against the real server, with 1-second
 * header and body timeouts (and a 3-second idle timeout, so that it is not what cuts the slow requests off): each is
 * cut off within a bounded time, and a timed-out body is answered 408 in the dialect's error shape and recorded.
 */
class SlowClientsIT {
    static PortalHarness harness;
    static String key;

    @BeforeAll
    static void start() {
        harness = new PortalHarness(Map.of("http.header-timeout", "PT1S", "http.body-timeout", "PT1S",
                "http.idle-timeout", "PT3S"));
        key = harness.newKey("slow-clients@example.com");
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static double secondsSince(long startNanos, long endNanos) {
        return (endNanos - startNanos) / 1e9;
    }

    @Test
    void a_client_sending_its_headers_one_byte_at_a_time_is_closed_after_the_header_timeout() throws Exception {
        try (RawClient slowloris = new RawClient(harness.portal.port())) {
            long start = System.nanoTime();
            slowloris.send("GET /health HTTP/1.1\r\n");
            // each byte would restart a per-read timeout; the header deadline counts from the first
            int sent = slowloris.trickle("Host: portal\r\nX-Padding: " + "a".repeat(200) + "\r\n\r\n", 100);
            long closed = slowloris.awaitClosed(10);
            assertThat(sent).as("the server closed before the headers were complete").isLessThan(200);
            assertThat(secondsSince(start, closed)).as("seconds until closed").isBetween(0.9, 3.5);
            assertThat(slowloris.received()).as("no answer to a request that never arrived").isEmpty();
        }
        assertThat(harness.metrics()).containsPattern(
                "portal_connections_timed_out_total\\{listener=\"public\",phase=\"headers\"} [1-9]");
    }

    @Test
    void a_client_trickling_its_request_line_is_closed_too() throws Exception {
        try (RawClient slowloris = new RawClient(harness.portal.port())) {
            long start = System.nanoTime();
            int sent = slowloris.trickle("GET /health?" + "x".repeat(100) + " HTTP/1.1\r\nHost: p\r\n\r\n", 100);
            long closed = slowloris.awaitClosed(10);
            assertThat(sent).isLessThan(100);
            assertThat(secondsSince(start, closed)).isBetween(0.9, 3.5);
        }
    }

    @Test
    void a_client_trickling_its_body_gets_408_request_timeout_and_the_request_is_recorded() throws Exception {
        String body = PortalHarness.chatBody("qwen", false);
        try (RawClient slow = new RawClient(harness.portal.port())) {
            assertThat(slow.send("POST /v1/chat/completions HTTP/1.1\r\nHost: portal\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n")).isTrue();
            long start = System.nanoTime();
            int sent = slow.trickle(body, 100);
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.received().contains("\r\n\r\n{"));
            double answeredAfter = secondsSince(start, System.nanoTime());
            assertThat(sent).as("bytes of the body sent before the answer").isLessThan(body.length());
            assertThat(answeredAfter).as("seconds until the 408").isBetween(0.9, 3.0);
            String response = slow.received();
            assertThat(response).startsWith("HTTP/1.1 408");
            JsonNode error = Json.MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4)).get("error");
            assertThat(error.get("code").asText()).isEqualTo("request_timeout");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            String requestId = error.get("request_id").asText();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(harness.requestLog(requestId))
                    .containsEntry("status", "blocked").containsEntry("http_status", 408)
                    .containsEntry("error_code", "request_timeout"));
            slow.awaitClosed(10); // and the connection does not outlive the body's deadline by much
        }
    }

    @Test
    void a_body_timeout_on_the_messages_api_is_answered_in_anthropics_error_shape() throws Exception {
        String body = "{\"model\":\"qwen\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (RawClient slow = new RawClient(harness.portal.port())) {
            slow.send("POST /v1/messages HTTP/1.1\r\nHost: portal\r\nx-api-key: " + key + "\r\nanthropic-version: "
                    + "2023-06-01\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n");
            slow.trickle(body, 100);
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.received().contains("\r\n\r\n{"));
            String response = slow.received();
            assertThat(response).startsWith("HTTP/1.1 408");
            JsonNode json = Json.MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertThat(json.get("type").asText()).isEqualTo("error");
            assertThat(json.get("error").get("type").asText()).isEqualTo("invalid_request_error");
        }
    }

    @Test
    void a_client_that_sends_headers_and_then_nothing_is_closed_after_one_and_a_half_body_timeouts() throws Exception {
        try (RawClient silent = new RawClient(harness.portal.port())) {
            silent.send("POST /v1/chat/completions HTTP/1.1\r\nHost: portal\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"model\":");
            long start = System.nanoTime();
            long closed = silent.awaitClosed(10);
            assertThat(secondsSince(start, closed)).as("seconds until closed").isBetween(1.4, 4.0);
        }
        assertThat(harness.metrics()).containsPattern(
                "portal_connections_timed_out_total\\{listener=\"public\",phase=\"body\"} [1-9]");
    }

    @Test
    void an_idle_keep_alive_connection_is_closed_after_the_idle_timeout_and_a_busy_one_is_not() throws Exception {
        try (RawClient idle = new RawClient(harness.portal.port())) {
            idle.send("GET /ready HTTP/1.1\r\nHost: portal\r\n\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> idle.received().contains("{\"ready\":true}"));
            long answered = System.nanoTime();
            long closed = idle.awaitClosed(10);
            // Helidon (which closes idle connections) sees time in whole seconds
            assertThat(secondsSince(answered, closed)).as("seconds idle until closed").isBetween(2.0, 6.0);
        }
        // a connection sending a request every half second stays open past the idle timeout
        try (RawClient busy = new RawClient(harness.portal.port())) {
            for (int i = 1; i <= 8; i++) {
                assertThat(busy.send("GET /ready HTTP/1.1\r\nHost: portal\r\n\r\n")).isTrue();
                int answers = i;
                await().atMost(Duration.ofSeconds(5)).until(() -> count(busy.received(), "HTTP/1.1 200") == answers);
                TimeUnit.MILLISECONDS.sleep(500);
            }
            assertThat(busy.closed()).isFalse();
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
