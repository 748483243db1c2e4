package ai.cortensor.portal.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.db.Database;
import ai.cortensor.testkit.TestDatabase;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The store on real PostgreSQL (with the pool's batched-insert rewriting): writing a batch again changes nothing. */
class UsageStoreIT {

    @Test
    void writing_the_same_records_twice_leaves_one_log_row_and_one_usage_event_each() throws Exception {
        try (TestDatabase pg = TestDatabase.create();
             Database db = Database.open(ConfigLoader.fromMap(Map.of("database.url", pg.url(),
                     "data.dir", Files.createTempDirectory("usage-store").toString())))) {
            long user = db.jdbi().withHandle(h -> h.createQuery(
                    "INSERT INTO users (email) VALUES ('store@example.com') RETURNING id").mapTo(Long.class).one());
            Instant at = Instant.parse("2026-11-22T10:00:00Z");
            List<RequestRecord> batch = List.of(
                    new RequestRecord("req_A", at, "/v1/chat/completions", false, "qwen", 7L, user, null, "completed",
                            200, null, null, "default", "a", at, 12, 40, 5, 16, false,
                            List.of(new RequestRecord.Attempt("default", "b", "http_503", 3),
                                    new RequestRecord.Attempt("default", "a", "ok", 37))),
                    new RequestRecord("req_B", at, "/v1/chat/completions", true, "qwen", 7L, user, null, "cancelled",
                            499, "client_closed_request", null, "default", "b", at, 15, 90, 5, 3, true, List.of()),
                    new RequestRecord("req_C", at, "/v1/chat/completions", false, "nope", 7L, user, null, "blocked",
                            404, "model_not_found", "model_not_found", null, null, null, null, 1, null, null, false, List.of()));
            UsageStore store = new UsageStore(db.jdbi());
            store.write(batch);
            store.write(batch); // a replay after a crash between commit and spool deletion

            assertThat(count(db, "SELECT count(*) FROM request_logs")).isEqualTo(3);
            assertThat(count(db, "SELECT count(*) FROM usage_events")).as("served requests only").isEqualTo(2);
            assertThat(count(db, "SELECT sum(total_tokens) FROM usage_events")).isEqualTo(21 + 8);
            assertThat(count(db, "SELECT count(*) FROM request_logs WHERE usage_recorded")).isEqualTo(2);
            String lastAndFirst = db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT attempts->1->>'outcome' || '@' || (attempts->0->>'target') FROM request_logs WHERE request_id = 'req_A'")
                    .mapTo(String.class).one());
            assertThat(lastAndFirst).as("every attempt is kept in order").isEqualTo("ok@b");
        }
    }

    private static long count(Database db, String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
