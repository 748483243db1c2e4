package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.json.Json;
import ai.cortensor.routersim.Behavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A replica at its bound of requests in flight refuses at once, in the client's dialect, and records it. */
class OverloadIT {
    static PortalHarness harness;
    static String key;

    @BeforeAll
    static void start() {
        harness = new PortalHarness(Map.of("http.max-in-flight", "1"));
        key = harness.newKey("overload@example.com");
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void past_the_in_flight_bound_requests_get_a_fast_503_overloaded_with_retry_after_and_a_request_log_row()
            throws Exception {
        harness.behave(Behavior.defaults().withTtftMillis(1_500));
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(
                () -> harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)));
        await().atMost(Duration.ofSeconds(5)).until(() -> harness.metrics()
                .contains("portal_requests_in_flight 1.0"));

        HttpResponse<String> chat = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
        assertThat(slow).as("refused while the slow request still holds the slot, not after it").isNotDone();
        HttpResponse<String> messages = harness.post("/v1/messages", key,
                "{\"model\":\"qwen\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(chat.statusCode()).isEqualTo(503);
        assertThat(chat.headers().firstValue("retry-after")).contains("1");
        JsonNode error = Json.MAPPER.readTree(chat.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("overloaded");
        String id = chat.headers().firstValue("x-request-id").orElseThrow();
        assertThat(error.get("request_id").asText()).isEqualTo(id);
        assertThat(messages.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(messages.body()).get("type").asText()).isEqualTo("error");

        Map<String, Object> log = await().atMost(Duration.ofSeconds(10))
                .until(() -> harness.requestLog(id), m -> !m.isEmpty());
        assertThat(log.get("status")).isEqualTo("blocked");
        assertThat(log.get("error_code")).isEqualTo("overloaded");
        assertThat(harness.usageEvents(id)).isEmpty();

        assertThat(slow.get().statusCode()).isEqualTo(200);
        harness.behave(Behavior.defaults());
        // the slow request ends after its last bytes (settled, recorded), so its client can see it before the slot frees
        await().atMost(Duration.ofSeconds(5)).until(() -> harness.metrics().contains("portal_requests_in_flight 0.0"));
        assertThat(harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode())
                .as("served again once the slow request ended").isEqualTo(200);
    }
}
