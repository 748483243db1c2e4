package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.json.Json;
import ai.cortensor.routersim.Behavior;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * {@link Portal#close()} is the SIGTERM path of {@code serve}: unready and refusing at once, streams in flight
 * finish (or end with an explicit error at the deadline), and every record is written.
 */
class GracefulShutdownIT {

    /** A stream whose lines are collected as they arrive. */
    private record Stream(String requestId, List<String> lines, CompletableFuture<Void> done) {}

    private static Stream stream(PortalHarness h, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(h.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(PortalHarness.chatBody("qwen", true))).build();
        HttpResponse<java.util.stream.Stream<String>> response = h.http.send(request,
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> response.body().forEach(lines::add));
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.startsWith("data: ")));
        return new Stream(response.headers().firstValue("x-request-id").orElseThrow(), lines, done);
    }

    @Test
    void on_shutdown_the_server_turns_unready_refuses_new_requests_and_lets_streams_in_flight_finish()
            throws Exception {
        PortalHarness h = new PortalHarness(Map.of("shutdown.deadline", "PT20S"));
        try {
            String key = h.newKey("drain@example.com");
            h.behave(Behavior.defaults().withTokensPerSecond(15).withCompletionTokens(30)); // about 2 s
            Stream running = stream(h, key);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(h.portal::close);
            await().atMost(Duration.ofSeconds(2)).until(() -> h.get("/ready", null).statusCode() == 503);
            assertThat(h.get("/ready", null).body()).contains("shutting down");
            HttpResponse<String> refused = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("retry-after")).contains("1");
            assertThat(Json.MAPPER.readTree(refused.body()).at("/error/code").asText()).isEqualTo("shutting_down");
            assertThat(running.done()).as("the stream is still running while new requests are refused").isNotDone();

            running.done().get(15, TimeUnit.SECONDS);
            assertThat(running.lines()).contains("data: [DONE]");
            assertThat(running.lines()).noneMatch(l -> l.contains("\"error\""));
            closing.get(15, TimeUnit.SECONDS);

            Jdbi db = Jdbi.create(h.db.url());
            assertThat(PortalHarness.count(db, "SELECT count(*) FROM usage_events WHERE request_id = '"
                    + running.requestId() + "' AND status = 'completed' AND completion_tokens > 0")).isEqualTo(1);
            String refusedId = refused.headers().firstValue("x-request-id").orElseThrow();
            assertThat(PortalHarness.count(db, "SELECT count(*) FROM request_logs WHERE request_id = '" + refusedId
                    + "' AND status = 'blocked' AND error_code = 'shutting_down'")).isEqualTo(1);
        } finally {
            h.close();
        }
    }

    @Test
    void a_stream_still_running_at_the_deadline_ends_with_a_shutting_down_error_event_and_is_metered()
            throws Exception {
        PortalHarness h = new PortalHarness(Map.of("shutdown.deadline", "PT1S"));
        try {
            String key = h.newKey("deadline@example.com");
            h.behave(Behavior.defaults().withTokensPerSecond(10).withCompletionTokens(300)); // 30 s
            Stream running = stream(h, key);

            long t0 = System.nanoTime();
            h.portal.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(closeMillis).as("bounded by the deadline plus the time to end what runs").isLessThan(8_000);

            running.done().get(5, TimeUnit.SECONDS);
            String error = running.lines().stream().filter(l -> l.contains("\"error\"")).findFirst().orElseThrow();
            assertThat(Json.MAPPER.readTree(error.substring("data: ".length())).at("/error/code").asText())
                    .isEqualTo("shutting_down");

            Jdbi db = Jdbi.create(h.db.url());
            Map<String, Object> log = db.withHandle(x -> x.createQuery(
                    "SELECT status, error_code, completion_tokens FROM request_logs WHERE request_id = :id")
                    .bind("id", running.requestId()).mapToMap().one());
            assertThat(log.get("status")).isEqualTo("failed");
            assertThat(log.get("error_code")).isEqualTo("shutting_down");
            assertThat((Integer) log.get("completion_tokens")).as("what was delivered is metered").isBetween(1, 299);
            assertThat(PortalHarness.count(db, "SELECT count(*) FROM usage_events WHERE request_id = '"
                    + running.requestId() + "'")).isEqualTo(1);
        } finally {
            h.close();
        }
    }
}
