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
    void outage_spools_to_disk_and_replays_every_record_once(@TempDir Path dir) {
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
    void close_while_the_database_is_down_leaves_everything_in_the_spool_for_the_next_start(@TempDir Path dir) {
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
    void a_torn_spool_line_is_skipped_and_the_rest_replayed(@TempDir Path dir) throws Exception {
        FlakySink sink = new FlakySink();
        sink.down.set(true);
        UsageLedger first = ledger(sink, dir, 64);
        for (int i = 0; i < 10; i++) {
            first.record(record(i));
        }
        first.close();
        Files.writeString(dir.resolve("current.jsonl"), "{\"requestId\":\"req_torn\",\"accep", java.nio.file.StandardOpenOption.APPEND);

        sink.down.set(false);
        try (UsageLedger second = ledger(sink, dir, 64)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.writes.size() == 10);
        }
        assertThat(sink.writes).doesNotContainKey("req_torn");
    }
}
