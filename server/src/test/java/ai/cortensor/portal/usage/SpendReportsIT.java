package ai.cortensor.portal.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.db.Database;
import ai.cortensor.testkit.TestDatabase;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spend reads on real PostgreSQL, from records written by the real usage writer (which settles the ledger in the
 * same transaction): an export pages through any number of rows, ties in time included, and its costs are the
 * ledger's; spend per day groups by model and key; every read stays inside its account.
 */
class SpendReportsIT {
    private static TestDatabase pg;
    private static Database db;
    private static UsageStore store;
    private static SpendReports spend;

    @BeforeAll
    static void open() throws Exception {
        pg = TestDatabase.create();
        db = Database.open(ConfigLoader.fromMap(Map.of("database.url", pg.url(),
                "data.dir", Files.createTempDirectory("spend-reports").toString())));
        store = new UsageStore(db.jdbi());
        spend = new SpendReports(db.jdbi());
    }

    @AfterAll
    static void close() {
        db.close();
        pg.close();
    }

    @Test
    void an_export_of_several_chunks_has_every_request_once_in_order_and_costs_what_the_ledger_says() throws Exception {
        long user = user("export-many@example.com");
        long stranger = user("export-stranger@example.com");
        Instant base = Instant.parse("2026-11-10T08:00:00Z");
        int n = SpendReports.EXPORT_CHUNK * 2 + 345;
        List<RequestRecord> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // 250 requests share each instant: the keyset must break ties by request id, not skip or repeat them
            Instant at = base.plusSeconds(i / 250);
            batch.add(served(String.format("req_many_%05d", (i * 7919) % n), user, null, at, i % 2 == 0 ? "qwen"
                    : "oss-20b", 1 + i % 3, 100 + i));
            if (batch.size() == 500) {
                store.write(batch);
                batch.clear();
            }
        }
        store.write(batch);
        store.write(List.of(served("req_not_mine", stranger, null, base, "qwen", 1, 999_999)));

        List<SpendReports.ExportRow> rows = new ArrayList<>();
        spend.export(new UsageReports.Scope(user, null, null, null), base, base.plusSeconds(3600), rows::add);

        assertThat(rows).hasSize(n);
        Set<String> ids = new HashSet<>();
        rows.forEach(r -> ids.add(r.requestId()));
        assertThat(ids).as("each request exactly once").hasSize(n).doesNotContain("req_not_mine");
        for (int i = 1; i < rows.size(); i++) {
            SpendReports.ExportRow a = rows.get(i - 1);
            SpendReports.ExportRow b = rows.get(i);
            assertThat(a.at().isBefore(b.at()) || a.at().equals(b.at()) && a.requestId().compareTo(b.requestId()) < 0)
                    .as("ordered by time, then request id, at row %d", i).isTrue();
        }
        long exported = rows.stream().mapToLong(SpendReports.ExportRow::costMicros).sum();
        long ledger = -count("SELECT sum(amount_micros) FROM billing_ledger WHERE account = 'u" + user
                + "' AND entry_type = 'usage'");
        assertThat(exported).isPositive().isEqualTo(ledger);
        for (SpendReports.ExportRow r : rows.subList(0, 50)) {
            assertThat(r.costMicros()).isEqualTo(-count("SELECT amount_micros FROM billing_ledger WHERE request_id = '"
                    + r.requestId() + "'"));
        }
        assertThat(spend.spent(new UsageReports.Scope(user, null, null, null), LocalDate.parse("2026-11-10"),
                LocalDate.parse("2026-11-10"))).isEqualTo(ledger);
    }

    @Test
    void spend_per_day_is_grouped_by_model_or_by_key_within_the_range_and_the_account() {
        long user = user("daily@example.com");
        long org = org("Daily Org");
        Instant d1 = Instant.parse("2026-10-01T23:59:59Z");
        Instant d2 = Instant.parse("2026-10-02T00:00:00Z");
        store.write(List.of(
                served("req_d_1", user, null, d1, "qwen", 11, 1_000),
                served("req_d_2", user, null, d1, "qwen", 12, 2_000),
                served("req_d_3", user, null, d1, "oss-20b", 11, 4_000),
                served("req_d_4", user, null, d2, "qwen", 12, 8_000),
                served("req_d_5", user, org, d2, "qwen", 13, 16_000), // the org's, not the personal account's
                served("req_d_6", user, null, Instant.parse("2026-10-03T00:00:00Z"), "qwen", 11, 32_000)));
        UsageReports.Scope personal = new UsageReports.Scope(user, null, null, null);
        LocalDate from = LocalDate.parse("2026-10-01");
        LocalDate to = LocalDate.parse("2026-10-02");

        List<SpendReports.DaySpend> byModel = spend.daily(personal, from, to, SpendReports.By.MODEL);
        assertThat(byModel).extracting(d -> d.day() + " " + d.series() + " " + d.requests() + " " + d.costMicros())
                .containsExactly("2026-10-01 oss-20b 1 4000", "2026-10-01 qwen 2 3000", "2026-10-02 qwen 1 8000");
        List<SpendReports.DaySpend> byKey = spend.daily(personal, from, to, SpendReports.By.KEY);
        assertThat(byKey).extracting(d -> d.day() + " " + d.series() + " " + d.costMicros())
                .containsExactly("2026-10-01 11 5000", "2026-10-01 12 2000", "2026-10-02 12 8000");
        assertThat(spend.daily(new UsageReports.Scope(user, org, null, null), from, to, SpendReports.By.MODEL))
                .extracting(SpendReports.DaySpend::costMicros).containsExactly(16_000L);
        assertThat(spend.daily(new UsageReports.Scope(user, null, 12L, "qwen"), from, to, SpendReports.By.MODEL))
                .extracting(SpendReports.DaySpend::costMicros).containsExactly(2_000L, 8_000L);
    }

    @Test
    void daily_spend_is_kept_as_usage_is_written_and_a_replayed_batch_adds_nothing_twice() {
        long user = user("rollup@example.com");
        Instant at = Instant.parse("2026-09-15T12:00:00Z");
        List<RequestRecord> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            batch.add(served("req_roll_" + i, user, null, at.plusSeconds(i * 3600L), i % 2 == 0 ? "qwen" : "gemma-4",
                    31 + i % 3, 10 + i));
        }
        store.write(batch);
        store.write(batch.subList(10, 40)); // a replay overlapping what is committed
        store.write(List.of(batch.get(3), batch.get(3))); // and a request twice in one batch
        UsageReports.Scope s = new UsageReports.Scope(user, null, null, null);
        long events = count("SELECT sum(cost_micros) FROM usage_events WHERE user_id = " + user);
        assertThat(spend.spent(s, LocalDate.parse("2026-09-01"), LocalDate.parse("2026-09-30"))).isEqualTo(events)
                .isEqualTo(-count("SELECT sum(amount_micros) FROM billing_ledger WHERE account = 'u" + user + "'"));
        assertThat(count("SELECT sum(requests) FROM usage_daily WHERE account = 'u" + user + "'")).isEqualTo(40);
        assertThat(count("SELECT count(*) FROM (SELECT (occurred_at AT TIME ZONE 'UTC')::date, model_alias, api_key_id, "
                + "sum(cost_micros) AS c, count(*) AS n, sum(prompt_tokens) AS p, sum(completion_tokens) AS t "
                + "FROM usage_events WHERE user_id = " + user + " GROUP BY 1, 2, 3 EXCEPT SELECT day, model_alias, "
                + "api_key_id, cost_micros, requests, prompt_tokens, completion_tokens FROM usage_daily WHERE account = "
                + "'u" + user + "') x")).as("every day, model and key as the events sum it").isZero();
        assertThat(spend.daily(s, LocalDate.parse("2026-09-15"), LocalDate.parse("2026-09-15"), SpendReports.By.MODEL))
                .extracting(d -> d.series() + " " + d.requests()).containsExactly("gemma-4 6", "qwen 6");
    }

    @Test
    void a_request_is_looked_up_only_within_the_account_that_made_it() {
        long user = user("generation@example.com");
        long org = org("Generation Org");
        Instant at = Instant.parse("2026-10-05T10:00:00Z");
        store.write(List.of(served("req_gen_personal", user, null, at, "qwen", 21, 500).withFinish("stop", 3),
                served("req_gen_org", user, org, at, "qwen", 22, 700).withFinish("length", null)));

        var mine = spend.generation("req_gen_personal", user, null).orElseThrow();
        assertThat(mine.costMicros()).isEqualTo(500);
        assertThat(mine.finishReason()).isEqualTo("stop");
        assertThat(mine.reasoningTokens()).isEqualTo(3);
        assertThat(spend.generation("req_gen_org", user, null)).as("the org's request, asked as personal").isEmpty();
        assertThat(spend.generation("req_gen_personal", user, org)).isEmpty();
        assertThat(spend.generation("req_gen_org", user, org).orElseThrow().costMicros()).isEqualTo(700);
        assertThat(spend.generation("req_gen_personal", user + 1000, null)).isEmpty();
    }

    private static RequestRecord served(String id, long user, Long org, Instant at, String model, long key,
                                        long cost) {
        return new RequestRecord(id, at, "/v1/chat/completions", false, model, key, user, org, "completed", 200,
                null, null, "default", "a", at, 12, 40, 5, 16, false,
                List.of(new RequestRecord.Attempt("default", "a", "ok", 37)),
                new RequestRecord.Money(cost, 100_000, 200_000, false));
    }

    private static long user(String email) {
        return db.jdbi().withHandle(h -> h.createQuery("INSERT INTO users (email) VALUES (:e) RETURNING id")
                .bind("e", email).mapTo(Long.class).one());
    }

    private static long org(String name) {
        return db.jdbi().withHandle(h -> h.createQuery("INSERT INTO organizations (name) VALUES (:n) RETURNING id")
                .bind("n", name).mapTo(Long.class).one());
    }

    private static long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
