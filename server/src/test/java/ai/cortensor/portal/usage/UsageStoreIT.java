package ai.cortensor.portal.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.db.Database;
import ai.cortensor.testkit.TestDatabase;
import java.nio.file.Files;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store on real PostgreSQL (one statement of unnested arrays per batch): a replay changes nothing, values round-trip. */
class UsageStoreIT {
    private static TestDatabase pg;
    private static Database db;
    private static UsageStore store;

    @BeforeAll
    static void open() throws Exception {
        pg = TestDatabase.create();
        db = Database.open(ConfigLoader.fromMap(Map.of("database.url", pg.url(),
                "data.dir", Files.createTempDirectory("usage-store").toString())));
        store = new UsageStore(db.jdbi());
    }

    @AfterAll
    static void close() {
        db.close();
        pg.close();
    }

    @Test
    void writing_the_same_records_twice_leaves_one_log_row_and_one_usage_event_each() {
        long user = user("store@example.com");
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
        store.write(batch);
        store.write(batch); // a replay after a crash between commit and spool deletion

        String in = " WHERE request_id IN ('req_A', 'req_B', 'req_C')";
        assertThat(count("SELECT count(*) FROM request_logs" + in)).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM usage_events" + in)).as("served requests only").isEqualTo(2);
        assertThat(count("SELECT sum(total_tokens) FROM usage_events" + in)).isEqualTo(21 + 8);
        assertThat(count("SELECT count(*) FROM request_logs" + in + " AND usage_recorded")).isEqualTo(2);
        String lastAndFirst = text("SELECT attempts->1->>'outcome' || '@' || (attempts->0->>'target') FROM request_logs "
                + "WHERE request_id = 'req_A'");
        assertThat(lastAndFirst).as("every attempt is kept in order").isEqualTo("ok@b");
    }

    @Test
    void a_replayed_batch_that_overlaps_new_records_writes_only_the_new_ones() {
        long user = user("overlap@example.com");
        List<RequestRecord> first = new ArrayList<>();
        List<RequestRecord> second = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RequestRecord r = served("req_overlap_" + i, user, Instant.parse("2026-11-22T10:00:00Z").plusSeconds(i));
            if (i < 6) {
                first.add(r);
            }
            if (i >= 3) {
                second.add(r);
            }
        }
        second.add(second.get(0)); // the same request twice in one batch (a spool file replayed with its own overlap)
        store.write(first);
        store.write(second);

        String like = " WHERE request_id LIKE 'req\\_overlap\\_%'";
        assertThat(count("SELECT count(*) FROM request_logs" + like)).isEqualTo(10);
        assertThat(count("SELECT count(*) FROM usage_events" + like)).isEqualTo(10);
        assertThat(count("SELECT sum(total_tokens) FROM usage_events" + like)).isEqualTo(10 * (5 + 16));
    }

    @Test
    void a_record_with_every_nullable_column_null_keeps_them_null() {
        Instant at = Instant.parse("2026-11-22T11:00:00Z");
        store.write(List.of(new RequestRecord("req_nulls", at, "/v1/chat/completions", false, null, null, null, null,
                "blocked", 401, null, null, null, null, null, null, 0, null, null, false, List.of())));

        assertThat(count("""
                SELECT count(*) FROM request_logs WHERE request_id = 'req_nulls' AND model_alias IS NULL
                  AND api_key_id IS NULL AND user_id IS NULL AND organization_id IS NULL AND error_code IS NULL
                  AND block_reason IS NULL AND pool IS NULL AND target IS NULL AND forwarded_at IS NULL
                  AND ttft_ms IS NULL AND prompt_tokens IS NULL AND completion_tokens IS NULL
                  AND NOT stream AND NOT tokens_estimated AND NOT usage_recorded AND attempts = '[]'::jsonb
                  AND latency_ms = 0 AND http_status = 401 AND status = 'blocked'""")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM usage_events WHERE request_id = 'req_nulls'")).isZero();
    }

    @Test
    void strings_with_special_characters_round_trip_exactly() {
        List<String> nasty = List.of("tab\there", "new\nline\r\n", "back\\slash\\\\", "quote\"s and 'apostrophes'",
                "{braces,commas}", "NULL", "null", "", " leading and trailing ", "ünïcödé ✓ 日本語 🚀", "\\N",
                "$1 ? :name", "semi;colon -- comment", "\u0001control\u001f");
        List<RequestRecord> batch = new ArrayList<>();
        for (int i = 0; i < nasty.size(); i++) {
            String s = nasty.get(i);
            batch.add(new RequestRecord("req_nasty_" + i, Instant.parse("2026-11-22T12:00:00Z"), s, true, s, 9L,
                    1L, 2L, "failed", 502, s, s, s, s, Instant.parse("2026-11-22T12:00:00Z"), 3, 4, 5, 6, true,
                    List.of(new RequestRecord.Attempt(s, s, s, 1))));
        }
        store.write(batch);

        for (int i = 0; i < nasty.size(); i++) {
            String s = nasty.get(i);
            String id = "'req_nasty_" + i + "'";
            for (String col : List.of("route", "model_alias", "error_code", "block_reason", "pool", "target",
                    "attempts->0->>'pool'", "attempts->0->>'target'", "attempts->0->>'outcome'")) {
                assertThat(text("SELECT " + col + " FROM request_logs WHERE request_id = " + id)).as(col).isEqualTo(s);
            }
            assertThat(text("SELECT model_alias || '|' || pool || '|' || target FROM usage_events WHERE request_id = "
                    + id)).isEqualTo(s + "|" + s + "|" + s);
        }
    }

    @Test
    void instants_round_trip_to_the_microsecond() {
        Instant at = Instant.parse("2026-11-22T13:14:15.123456789Z");
        Instant fwd = Instant.parse("1969-12-31T23:59:59.000001Z"); // before the epoch: still exact
        store.write(List.of(new RequestRecord("req_time", at, "/v1/completions", false, "qwen", 8L, 1L, null,
                "completed", 200, null, null, "p", "t", fwd, 1, 2, 3, 4, false, List.of())));

        OffsetDateTime accepted = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT accepted_at FROM request_logs WHERE request_id = 'req_time'").mapTo(OffsetDateTime.class).one());
        OffsetDateTime forwarded = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT forwarded_at FROM request_logs WHERE request_id = 'req_time'").mapTo(OffsetDateTime.class).one());
        OffsetDateTime occurred = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT occurred_at FROM usage_events WHERE request_id = 'req_time'").mapTo(OffsetDateTime.class).one());
        assertThat(accepted.toInstant()).isEqualTo(Instant.parse("2026-11-22T13:14:15.123456Z"));
        assertThat(occurred.toInstant()).isEqualTo(Instant.parse("2026-11-22T13:14:15.123456Z"));
        assertThat(forwarded.toInstant()).isEqualTo(fwd);
    }

    @Test
    void last_used_at_never_moves_backwards() {
        long user = user("keys@example.com");
        long key = db.jdbi().withHandle(h -> h.createQuery("""
                INSERT INTO api_keys (public_id, secret_hash, name, user_id) VALUES ('lastused', '\\x00', 'k', :u)
                RETURNING id""").bind("u", user).mapTo(Long.class).one());
        long other = db.jdbi().withHandle(h -> h.createQuery("""
                INSERT INTO api_keys (public_id, secret_hash, name, user_id) VALUES ('untouched', '\\x00', 'k', :u)
                RETURNING id""").bind("u", user).mapTo(Long.class).one());
        Instant t10 = Instant.parse("2026-11-22T10:00:00Z");
        store.write(List.of(served("req_key_1", user, t10.plusSeconds(5), key),
                served("req_key_2", user, t10.plusSeconds(9), key), served("req_key_3", user, t10, key)));
        assertThat(lastUsed(key)).as("the latest of the batch").isEqualTo(t10.plusSeconds(9));

        store.write(List.of(served("req_key_4", user, t10.plusSeconds(1), key))); // a late (replayed) record
        assertThat(lastUsed(key)).isEqualTo(t10.plusSeconds(9));

        store.write(List.of(served("req_key_5", user, t10.plusSeconds(60), key)));
        assertThat(lastUsed(key)).isEqualTo(t10.plusSeconds(60));
        assertThat(lastUsed(other)).as("a key with no records").isNull();
    }

    @Test
    void how_each_request_ended_and_its_reasoning_tokens_are_written_with_it() {
        long user = user("finish@example.com");
        Instant at = Instant.parse("2026-11-23T10:00:00Z");
        store.write(List.of(served("req_fin_1", user, at).withFinish("length", 7),
                served("req_fin_2", user, at).withFinish("tool_calls", 0),
                served("req_fin_3", user, at).withFinish("sideways", null),
                served("req_fin_4", user, at)));
        assertThat(text("SELECT finish_reason || '/' || reasoning_tokens FROM request_logs WHERE request_id = "
                + "'req_fin_1'")).isEqualTo("length/7");
        assertThat(text("SELECT finish_reason || '/' || reasoning_tokens FROM request_logs WHERE request_id = "
                + "'req_fin_2'")).isEqualTo("tool_calls/0");
        assertThat(count("SELECT count(*) FROM request_logs WHERE request_id IN ('req_fin_3', 'req_fin_4') "
                + "AND finish_reason IS NULL AND reasoning_tokens IS NULL"))
                .as("a word the column does not know is stored as unknown rather than refusing the batch")
                .isEqualTo(2);
    }

    private static RequestRecord served(String id, long user, Instant at) {
        return served(id, user, at, 7L);
    }

    private static RequestRecord served(String id, long user, Instant at, long key) {
        return new RequestRecord(id, at, "/v1/chat/completions", false, "qwen", key, user, null, "completed", 200,
                null, null, "default", "a", at, 12, 40, 5, 16, false,
                List.of(new RequestRecord.Attempt("default", "a", "ok", 37)));
    }

    private static long user(String email) {
        return db.jdbi().withHandle(h -> h.createQuery("INSERT INTO users (email) VALUES (:e) RETURNING id")
                .bind("e", email).mapTo(Long.class).one());
    }

    private static Instant lastUsed(long key) {
        OffsetDateTime t = db.jdbi().withHandle(h -> h.createQuery("SELECT last_used_at FROM api_keys WHERE id = :id")
                .bind("id", key).mapTo(OffsetDateTime.class).one());
        return t == null ? null : t.toInstant();
    }

    private static long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static String text(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    }
}
