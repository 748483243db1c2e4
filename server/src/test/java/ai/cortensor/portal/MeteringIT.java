package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.routersim.Behavior;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Exactly one request log row per request and one usage event per served request, through outages and restarts. */
class MeteringIT {

    @Test
    void concurrent_requests_leave_exactly_one_log_and_one_usage_event_each() throws Exception {
        try (PortalHarness h = new PortalHarness()) {
            String key = h.newKey("metering@example.com");
            List<String> ids = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                List<Future<HttpResponse<String>>> futures = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    boolean stream = i % 2 == 0;
                    futures.add(pool.submit(() -> h.post("/v1/chat/completions", key, PortalHarness.chatBody("gemma-4", stream))));
                }
                for (var f : futures) {
                    HttpResponse<String> r = f.get();
                    assertThat(r.statusCode()).isEqualTo(200);
                    ids.add(r.headers().firstValue("x-request-id").orElseThrow());
                }
            }
            assertThat(ids).doesNotHaveDuplicates();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(h.count("SELECT count(*) FROM usage_events")).isEqualTo(200));
            assertThat(h.count("SELECT count(*) FROM request_logs WHERE status = 'completed' AND usage_recorded"))
                    .isEqualTo(200);
            assertThat(h.count("SELECT count(DISTINCT target) FROM usage_events")).as("round robin").isEqualTo(2);
            assertThat(h.count("SELECT sum(completion_tokens) FROM usage_events WHERE NOT tokens_estimated"))
                    .as("router-reported usage of the 100 non-streamed requests").isEqualTo(100L * 16);
            assertThat(h.count("SELECT count(*) FROM usage_events WHERE tokens_estimated AND completion_tokens > 0"))
                    .as("streams without router usage are counted by the tokenizer").isEqualTo(100);
            assertThat(h.count("SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL")).isEqualTo(1);
        }
    }

    @Test
    void database_write_failures_spool_to_disk_and_replay_without_loss_or_duplicates() throws Exception {
        try (PortalHarness h = new PortalHarness()) {
            String key = h.newKey("spool@example.com");
            h.jdbi().useHandle(x -> x.execute("ALTER TABLE usage_events RENAME TO usage_events_away"));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", i % 3 == 0));
                assertThat(r.statusCode()).as("responses keep flowing while writes fail").isEqualTo(200);
                ids.add(r.headers().firstValue("x-request-id").orElseThrow());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> h.get("/health", null).body().contains("\"database\":\"down\""));
            assertThat(h.count("SELECT count(*) FROM request_logs")).isZero();

            h.jdbi().useHandle(x -> x.execute("ALTER TABLE usage_events_away RENAME TO usage_events"));

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(h.count("SELECT count(*) FROM usage_events")).isEqualTo(30);
                assertThat(h.count("SELECT count(*) FROM request_logs")).isEqualTo(30);
            });
            for (String id : ids) {
                assertThat(h.usageEvents(id)).hasSize(1);
            }
            assertThat(h.get("/health", null).body()).contains("\"database\":\"up\"");
        }
    }

    @Test
    void records_spooled_at_shutdown_are_replayed_by_the_next_start() throws Exception {
        PortalHarness h = new PortalHarness();
        String key = h.newKey("restart@example.com");
        h.jdbi().useHandle(x -> x.execute("ALTER TABLE request_logs RENAME TO request_logs_away"));
        for (int i = 0; i < 10; i++) {
            assertThat(h.post("/v1/completions", key, "{\"model\":\"qwen\",\"prompt\":\"hi\"}").statusCode())
                    .isEqualTo(200);
        }
        h.portal.close(); // flushes: the database refuses, so everything lands in the spool
        org.jdbi.v3.core.Jdbi.create(h.db.url())
                .useHandle(x -> x.execute("ALTER TABLE request_logs_away RENAME TO request_logs"));

        Map<String, String> values = new HashMap<>();
        values.put("http.port", "0");
        values.put("management.port", "0");
        values.put("data.dir", h.dataDir.toString());
        values.put("database.url", h.db.url());
        values.put("usage.retry-interval", "PT0.2S");
        try (Portal again = Portal.start(ConfigLoader.fromMap(values), InstantSource.system())) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(PortalHarness.count(again.database().jdbi(), "SELECT count(*) FROM request_logs")).isEqualTo(10);
                assertThat(PortalHarness.count(again.database().jdbi(), "SELECT count(*) FROM usage_events")).isEqualTo(10);
            });
        } finally {
            h.simA.close();
            h.simB.close();
            h.db.close();
        }
    }

    @Test
    void clean_shutdown_flushes_every_queued_record() throws Exception {
        PortalHarness h = new PortalHarness(Map.of("usage.flush-interval", "PT5S", "usage.batch-size", "1000"));
        String key = h.newKey("flush@example.com");
        h.behave(Behavior.defaults().withCompletionTokens(2));
        for (int i = 0; i < 25; i++) {
            h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
        }
        var jdbi = org.jdbi.v3.core.Jdbi.create(h.db.url());
        h.portal.close();
        try {
            assertThat(PortalHarness.count(jdbi, "SELECT count(*) FROM usage_events")).isEqualTo(25);
        } finally {
            h.simA.close();
            h.simB.close();
            h.db.close();
        }
    }
}
