package ai.cortensor.portal.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageLedgerTest {

    /** A sink that behaves like the idempotent store: keyed by request id, and can be made to fail. */
    static final class FlakySink implements Consumer<List<RequestRecord>> {
        final Map<String, Integer> writes = new ConcurrentHashMap<>();
        final AtomicBoolean down = new AtomicBoolean();

        @Override
        public void accept(List<RequestRecord> batch) {
            if (down.get()) {
                throw new IllegalStateException("database down");
            }
            batch.forEach(r -> writes.merge(r.requestId(), 1, Integer::sum));
        }
    }

    static RequestRecord record(int i) {
        return new RequestRecord("req_" + i, Instant.parse("2026-11-22T10:00:00Z"), "/v1/chat/completions", false,
                "qwen", 1L, 2L, null, "completed", 200, null, null, "default", "a",
                Instant.parse("2026-11-22T10:00:00Z"), 5, 9, 3, 16, false, List.of());
    }

    static UsageLedger ledger(FlakySink sink, Path dir, int capacity) {
        return new UsageLedger(sink, dir, capacity, 50, Duration.ofMillis(10), Duration.ofMillis(50),
                new SimpleMeterRegistry()).start();
    }

    @Test
    void an_outage_keeps_records_in_the_journal_and_replays_every_record_once(@TempDir Path dir) {
        FlakySink sink = new FlakySink();
        sink.down.set(true);
        try (UsageLedger ledger = ledger(sink, dir, 64)) {
            for (int i = 0; i < 1_000; i++) { // far more than the queue holds: overflow goes straight to disk
                ledger.record(record(i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !ledger.databaseUp());
            assertThat(sink.writes).isEmpty();

            sink.down.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.writes.size() == 1_000);
            assertThat(sink.writes.values()).allMatch(n -> n == 1);
            assertThat(ledger.databaseUp()).isTrue();
        }
    }

    @Test
    void a_backlog_is_written_in_full_batches_in_offer_order(@TempDir Path dir) {
        List<List<String>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
        UsageLedger ledger = new UsageLedger(b -> batches.add(b.stream().map(RequestRecord::requestId).toList()), dir,
                2_000, 50, Duration.ofMillis(10), Duration.ofMillis(50), new SimpleMeterRegistry());
        for (int i = 0; i < 1_000; i++) { // queued before the writer starts: a backlog
            ledger.record(record(i));
        }
        ledger.start().close();

        assertThat(batches).hasSize(20).allMatch(b -> b.size() == 50);
        assertThat(batches.stream().flatMap(List::stream).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 1_000).mapToObj(i -> "req_" + i).toList());
    }

    @Test
    void close_flushes_the_queue(@TempDir Path dir) {
        FlakySink sink = new FlakySink();
        UsageLedger ledger = new UsageLedger(sink, dir, 10_000, 5_000, Duration.ofSeconds(30), Duration.ofSeconds(1),
                new SimpleMeterRegistry()).start();
        for (int i = 0; i < 500; i++) {
            ledger.record(record(i));
        }
        ledger.close();
        assertThat(sink.writes).hasSize(500);
    }

    @Test
    void close_while_the_database_is_down_leaves_everything_in_the_journal_for_the_next_start(@TempDir Path dir) {
        FlakySink sink = new FlakySink();
        sink.down.set(true);
        UsageLedger first = ledger(sink, dir, 64);
        for (int i = 0; i < 200; i++) {
            first.record(record(i));
        }
        first.close();
        assertThat(sink.writes).isEmpty();

        sink.down.set(false);
        try (UsageLedger second = ledger(sink, dir, 64)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.writes.size() == 200);
        }
        assertThat(sink.writes.values()).allMatch(n -> n == 1);
    }

    @Test
    void records_handed_over_before_a_crash_are_written_by_the_next_start(@TempDir Path dir) {
        FlakySink sink = new FlakySink();
        UsageLedger crashed = new UsageLedger(sink, dir, 10_000, 50, Duration.ofMillis(10), Duration.ofMillis(50),
                new SimpleMeterRegistry()); // its writer never runs and it is never closed: the process died
        for (int i = 0; i < 300; i++) {
            crashed.record(record(i));
        }
        assertThat(sink.writes).isEmpty();

        try (UsageLedger next = ledger(sink, dir, 64)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.writes.size() == 300);
        }
        assertThat(sink.writes.values()).allMatch(n -> n == 1);
    }

    @Test
    void a_journaled_record_replaced_before_a_crash_is_replayed_as_its_replacement(@TempDir Path dir) {
        List<RequestRecord> written = new java.util.concurrent.CopyOnWriteArrayList<>();
        UsageLedger crashed = new UsageLedger(written::addAll, dir, 100, 50, Duration.ofMillis(10),
                Duration.ofMillis(50), new SimpleMeterRegistry());
        RequestRecord completed = record(1);
        UsageLedger.Journaled early = crashed.journal(completed);
        RequestRecord cancelled = new RequestRecord(completed.requestId(), completed.acceptedAt(), completed.route(),
                false, "qwen", 1L, 2L, null, "cancelled", 499, "client_closed_request", null, "default", "a",
                completed.forwardedAt(), 5, 9, 3, 16, false, List.of());
        crashed.supersede(early, cancelled);

        try (UsageLedger next = new UsageLedger(written::addAll, dir, 100, 50, Duration.ofMillis(10),
                Duration.ofMillis(50), new SimpleMeterRegistry()).start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !written.isEmpty());
        }
        assertThat(written).extracting(RequestRecord::status).containsExactly("cancelled");
    }

    @Test
    void committed_records_leave_the_journal(@TempDir Path dir) throws Exception {
        FlakySink sink = new FlakySink();
        try (UsageLedger ledger = ledger(sink, dir, 64)) {
            for (int i = 0; i < 40; i++) {
                ledger.record(record(i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.writes.size() == 40);
            await().atMost(Duration.ofSeconds(10)).until(() -> journalFiles(dir).isEmpty());
        }
        assertThat(sink.writes.values()).allMatch(n -> n == 1);
    }

    @Test
    void a_full_queue_sends_the_overflow_through_the_journal(@TempDir Path dir) {
        FlakySink sink = new FlakySink();
        UsageLedger ledger = new UsageLedger(sink, dir, 16, 50, Duration.ofMillis(10), Duration.ofMillis(50),
                new SimpleMeterRegistry());
        for (int i = 0; i < 500; i++) { // the writer is not running yet: all but 16 find the queue full
            ledger.record(record(i));
        }
        try (UsageLedger started = ledger.start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.writes.size() == 500);
        }
        // the 16 queued ones are also in the replayed segment: written twice, which the store ignores (UsageStoreIT)
        assertThat(sink.writes.values()).allMatch(n -> n <= 2);
        assertThat(sink.writes.values().stream().filter(n -> n == 2)).hasSizeLessThanOrEqualTo(16);
    }

    @Test
    void a_torn_journal_line_is_skipped_and_the_rest_replayed(@TempDir Path dir) throws Exception {
        FlakySink sink = new FlakySink();
        sink.down.set(true);
        UsageLedger first = ledger(sink, dir, 64);
        for (int i = 0; i < 10; i++) {
            first.record(record(i));
        }
        first.close();
        List<Path> files = journalFiles(dir);
        assertThat(files).hasSize(1);
        Files.writeString(files.get(0), "{\"requestId\":\"req_torn\",\"accep", java.nio.file.StandardOpenOption.APPEND);

        sink.down.set(false);
        try (UsageLedger second = ledger(sink, dir, 64)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.writes.size() == 10);
        }
        assertThat(sink.writes).doesNotContainKey("req_torn");
    }

    @Test
    void a_record_the_database_refuses_for_its_content_is_set_aside_and_the_rest_is_written(@TempDir Path dir)
            throws Exception {
        Map<String, Integer> writes = new ConcurrentHashMap<>();
        Consumer<List<RequestRecord>> store = batch -> {
            if (batch.stream().anyMatch(r -> r.requestId().equals("req_7"))) {
                throw new IllegalStateException("batch refused", new java.sql.SQLException(
                        "null value in column \"model_alias\" violates not-null constraint", "23502"));
            }
            batch.forEach(r -> writes.merge(r.requestId(), 1, Integer::sum));
        };
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (UsageLedger ledger = new UsageLedger(store, dir, 64, 50, Duration.ofMillis(10), Duration.ofMillis(50),
                metrics).start()) {
            for (int i = 0; i < 20; i++) {
                ledger.record(record(i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> writes.size() == 19);
            assertThat(ledger.databaseUp()).as("one bad record is not an outage").isTrue();
        }
        assertThat(writes).doesNotContainKey("req_7");
        assertThat(metrics.counter("portal_usage_records_rejected").count()).isEqualTo(1);
        try (var files = Files.list(dir)) {
            Path rejected = files.filter(p -> p.getFileName().toString().startsWith("rejected-")).findFirst().orElseThrow();
            assertThat(Files.readString(rejected)).contains("\"requestId\":\"req_7\"");
        }
        assertThat(journalFiles(dir)).as("nothing left to replay").isEmpty();
    }

    private static List<Path> journalFiles(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jsonl")).toList();
        }
    }

    @Test
    void a_record_journaled_before_finish_reasons_reads_back_with_them_unknown(@TempDir Path dir) throws Exception {
        RequestRecord now = record(1).withFinish("length", 4);
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) ai.cortensor.portal.json.Json.MAPPER.valueToTree(now);
        assertThat(tree.has("finishReason")).isTrue();
        tree.remove(List.of("finishReason", "reasoningTokens")); // the line an older version wrote
        Path file = dir.resolve("old.jsonl");
        Files.writeString(file, ai.cortensor.portal.json.Json.MAPPER.writeValueAsString(tree) + "\n");

        List<RequestRecord> read = UsageJournal.read(file);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).finishReason()).isNull();
        assertThat(read.get(0).reasoningTokens()).isNull();
        assertThat(read.get(0).withFinish("length", 4)).isEqualTo(now);
    }
}
