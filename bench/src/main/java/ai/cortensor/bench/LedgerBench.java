package ai.cortensor.bench;

import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.db.Database;
import ai.cortensor.portal.usage.RequestRecord;
import ai.cortensor.portal.usage.UsageLedger;
import ai.cortensor.portal.usage.UsageStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The usage ledger on its own: the real {@link UsageLedger} and {@link UsageStore} (through the server's own
 * {@link Database}: its pool settings and Flyway migrations) against a fresh PostgreSQL database, fed realistic
 * {@link RequestRecord}s by one producer thread.
 * <ol>
 *   <li><b>saturated</b>: the producer keeps the queue full without ever overflowing it (it offers while fewer than
 *   the queue's capacity are unwritten) for {@code --seconds} after {@code --warmup}: the records/s written is the
 *   writer's sustained capacity;</li>
 *   <li><b>open loop</b> at {@code --rate} records/s (the gateway's throughput limit) through
 *   {@link UsageLedger#record}, as the gateway calls it: how many records overflow to the disk spool.</li>
 * </ol>
 * Afterwards the rows in PostgreSQL are counted and must equal what the ledger says it wrote. CPU: the writer
 * thread ({@link ThreadMXBean}), this process, and PostgreSQL (this database's backends, and the server's shared
 * background processes such as the WAL writer) from {@code /proc}.
 */
final class LedgerBench {
    private LedgerBench() {
    }

    static void run(Map<String, String> o) throws Exception {
        String url = o.get("database-url");
        if (url == null) {
            throw new IllegalArgumentException("missing --database-url");
        }
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "10"));
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "5"));
        int keys = Integer.parseInt(o.getOrDefault("keys", "100"));
        int rate = Integer.parseInt(o.getOrDefault("rate", "6000"));
        double rateSeconds = Double.parseDouble(o.getOrDefault("rate-seconds", o.getOrDefault("seconds", "10")));
        Path outFile = Path.of(o.getOrDefault("out", "ledger.properties"));
        ai.cortensor.bench.scale.OperatorScale.ensureDatabase(url);
        Path dataDir = Files.createTempDirectory("ledger-bench");
        Map<String, String> settings = new LinkedHashMap<>(Map.of("database.url", url, "data.dir", dataDir.toString()));
        for (String k : List.of("batch-size", "queue-capacity", "flush-interval")) { // default: the server's defaults
            if (o.containsKey(k)) {
                settings.put("usage." + k, o.get(k));
            }
        }
        PortalConfig config = ConfigLoader.fromMap(settings);
        PortalConfig.Usage uc = config.usage();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("seconds", BenchMain.fmt(seconds));
        out.put("warmup", BenchMain.fmt(warmup));
        out.put("keys", Integer.toString(keys));
        out.put("queue_capacity", Integer.toString(uc.queueCapacity()));
        out.put("batch_size", Integer.toString(uc.batchSize()));
        out.put("flush_interval_ms", Long.toString(uc.flushInterval().toMillis()));
        try (Database db = Database.open(config)) {
            long existing = count(db, "SELECT count(*) FROM request_logs");
            if (existing != 0) {
                throw new IllegalStateException("the ledger benchmark needs a fresh database; request_logs has "
                        + existing + " rows");
            }
            LedgerMix mix = new LedgerMix(seedKeys(db, keys), 42);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            UsageStore store = new UsageStore(db.jdbi());
            UsageLedger ledger = new UsageLedger(store::write, config.spoolDir(), uc.queueCapacity(), uc.batchSize(),
                    uc.flushInterval(), uc.retryInterval(), registry).start();
            Counter written = registry.counter("portal_usage_records_written");
            Counter spooled = registry.counter("portal_usage_records_spooled");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long writerId = writerThreadId();
            String self = Long.toString(ProcessHandle.current().pid());
            long offered;
            try {
                BenchMain.log("ledger: warm-up %.0f s (saturated), queue %d, batch %d, flush %d ms", warmup,
                        uc.queueCapacity(), uc.batchSize(), uc.flushInterval().toMillis());
                offered = saturate(ledger, mix, written, uc.queueCapacity(), 0, warmup);
                offered = drain(written, offered);

                BenchMain.log("ledger: saturated for %.0f s", seconds);
                long[] pg0 = postgresTicks(db);
                long[] m0 = CpuMeter.machine();
                long writer0 = threads.getThreadCpuTime(writerId);
                long proc0 = CpuMeter.ticks(self);
                double w0 = written.count();
                double s0 = spooled.count();
                long t0 = System.nanoTime();
                offered = saturate(ledger, mix, written, uc.queueCapacity(), offered, seconds);
                double elapsed = (System.nanoTime() - t0) / 1e9;
                long n = (long) (written.count() - w0);
                long writerNanos = threads.getThreadCpuTime(writerId) - writer0;
                long procTicks = CpuMeter.ticks(self) - proc0;
                long[] pg1 = postgresTicks(db);
                long[] m1 = CpuMeter.machine();
                out.put("saturated.records_per_s", String.format(Locale.ROOT, "%.0f", n / elapsed));
                out.put("saturated.written", Long.toString(n));
                out.put("saturated.spooled", Long.toString((long) (spooled.count() - s0)));
                putCpu(out, "saturated.", n, elapsed, writerNanos, procTicks, pg0, pg1, m0, m1);
                BenchMain.log("ledger: %d records in %.1f s = %.0f records/s; writer CPU %.1f µs per record", n,
                        elapsed, n / elapsed, writerNanos / 1e3 / Math.max(1, n));
                offered = drain(written, offered);

                BenchMain.log("ledger: open loop at %d records/s for %.0f s", rate, rateSeconds);
                pg0 = postgresTicks(db);
                m0 = CpuMeter.machine();
                writer0 = threads.getThreadCpuTime(writerId);
                proc0 = CpuMeter.ticks(self);
                s0 = spooled.count();
                double wOpen = written.count();
                long before = offered;
                t0 = System.nanoTime();
                long[] queueMax = new long[1];
                offered = openLoop(ledger, mix, registry, rate, rateSeconds, offered, queueMax);
                elapsed = (System.nanoTime() - t0) / 1e9;
                offered = drain(written, offered);
                long openOffered = offered - before;
                writerNanos = threads.getThreadCpuTime(writerId) - writer0;
                procTicks = CpuMeter.ticks(self) - proc0;
                pg1 = postgresTicks(db);
                m1 = CpuMeter.machine();
                out.put("open.rate", Integer.toString(rate));
                out.put("open.seconds", BenchMain.fmt(rateSeconds));
                out.put("open.offered", Long.toString(openOffered));
                out.put("open.written", Long.toString((long) (written.count() - wOpen))); // replays included
                out.put("open.spooled", Long.toString((long) (spooled.count() - s0)));
                out.put("open.queue_max", Long.toString(queueMax[0]));
                putCpu(out, "open.", openOffered, elapsed, writerNanos, procTicks, pg0, pg1, m0, m1);
                BenchMain.log("ledger: offered %d, spooled %s, queue max %d", openOffered,
                        out.get("open.spooled"), queueMax[0]);
            } finally {
                ledger.close();
            }
            // everything the ledger says it wrote is in PostgreSQL, exactly once
            long logs = count(db, "SELECT count(*) FROM request_logs");
            long events = count(db, "SELECT count(*) FROM usage_events");
            long totalWritten = (long) written.count();
            long totalSpooled = (long) spooled.count();
            out.put("total.offered", Long.toString(offered));
            out.put("total.written", Long.toString(totalWritten));
            out.put("total.spooled", Long.toString(totalSpooled));
            out.put("rows.request_logs", Long.toString(logs));
            out.put("rows.usage_events", Long.toString(events));
            out.put("rows.usage_events_expected", Long.toString(mix.served));
            // every offered record is one row, exactly once (a record replayed from the journal and also written from
            // memory counts twice in the written counter, once in the table)
            boolean verified = logs == offered && events == mix.served && totalWritten >= offered;
            out.put("verified", Boolean.toString(verified));
            BenchMain.log("ledger: request_logs %d rows, written counter %d, spooled %d, offered %d; usage_events %d"
                    + " (served records offered %d): %s", logs, totalWritten, totalSpooled, offered, events,
                    mix.served, verified ? "consistent" : "MISMATCH");
            journalCost(out, mix, Path.of(o.getOrDefault("journal-dir", dataDir.resolve("journal-cost").toString())),
                    Double.parseDouble(o.getOrDefault("journal-seconds", "3")));
        } finally {
            deleteTree(dataDir);
        }
        StringBuilder sb = new StringBuilder();
        out.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(outFile, sb.toString());
        System.out.print(sb);
    }

    /**
     * What handing a record over costs the request thread, per {@code usage.journal-fsync} policy: 8 threads call
     * {@link UsageLedger#record} for {@code seconds} each (a sink that discards, so only the hand-over is measured);
     * CPU and bytes allocated per record from the calling threads' own counters, and the call's latency. The
     * baseline is what the hand-over was before the journal: an offer to the same bounded queue.
     */
    private static void journalCost(Map<String, String> out, LedgerMix mix, Path dir, double seconds)
            throws Exception {
        List<RequestRecord> records = new ArrayList<>(4096);
        for (int i = 0; i < 4096; i++) {
            records.add(mix.next());
        }
        for (String policy : List.of("queue", "none", "interval", "always")) {
            Path d = dir.resolve(policy);
            UsageLedger ledger = policy.equals("queue") ? null : new UsageLedger(batch -> { }, d, policy,
                    java.time.Duration.ofSeconds(1), 1_000_000, 2_000, java.time.Duration.ofMillis(50),
                    java.time.Duration.ofSeconds(2), new SimpleMeterRegistry()).start();
            java.util.concurrent.ArrayBlockingQueue<RequestRecord> queue =
                    new java.util.concurrent.ArrayBlockingQueue<>(1_000_000);
            int threads = 8;
            long[][] latencies = new long[threads][];
            long[] cpu = new long[threads];
            long[] alloc = new long[threads];
            int[] count = new int[threads];
            List<Thread> ts = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            for (int t = 0; t < threads; t++) {
                int me = t;
                ts.add(Thread.ofPlatform().name("journal-cost-" + t).start(() -> {
                    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                    long[] lat = new long[1 << 20];
                    int n = 0;
                    long c0 = mx.getCurrentThreadCpuTime();
                    long a0 = mx.getCurrentThreadAllocatedBytes();
                    while (n < lat.length && System.nanoTime() - end < 0) {
                        RequestRecord r = records.get((n * 8 + me) & 4095);
                        long t0 = System.nanoTime();
                        if (ledger == null) {
                            if (!queue.offer(r)) {
                                queue.clear();
                            }
                        } else {
                            ledger.record(r);
                        }
                        lat[n++] = System.nanoTime() - t0;
                    }
                    cpu[me] = mx.getCurrentThreadCpuTime() - c0;
                    alloc[me] = mx.getCurrentThreadAllocatedBytes() - a0;
                    latencies[me] = java.util.Arrays.copyOf(lat, n);
                    count[me] = n;
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            if (ledger != null) {
                ledger.close();
            }
            long n = 0;
            long cpuSum = 0;
            long allocSum = 0;
            for (int t = 0; t < threads; t++) {
                n += count[t];
                cpuSum += cpu[t];
                allocSum += alloc[t];
            }
            long[] all = java.util.Arrays.stream(latencies).flatMapToLong(java.util.Arrays::stream).sorted().toArray();
            String p = "journal." + policy + ".";
            out.put(p + "records_per_s", String.format(Locale.ROOT, "%.0f", n / seconds));
            out.put(p + "cpu_us_per_record", String.format(Locale.ROOT, "%.2f", cpuSum / 1e3 / Math.max(1, n)));
            out.put(p + "alloc_bytes_per_record", String.format(Locale.ROOT, "%.0f", (double) allocSum / Math.max(1, n)));
            out.put(p + "p50_us", String.format(Locale.ROOT, "%.1f", all[all.length / 2] / 1e3));
            out.put(p + "p99_us", String.format(Locale.ROOT, "%.1f", all[(int) (all.length * 0.99)] / 1e3));
            BenchMain.log("ledger: hand-over with journal-fsync=%s: %s records/s, %s µs CPU and %s bytes per record, "
                    + "p99 %s µs", policy, out.get(p + "records_per_s"), out.get(p + "cpu_us_per_record"),
                    out.get(p + "alloc_bytes_per_record"), out.get(p + "p99_us"));
        }
    }

    /** Offers records while fewer than {@code capacity} are unwritten, so the queue is always full, never over. */
    private static long saturate(UsageLedger ledger, LedgerMix mix, Counter written, int capacity, long offered,
                                 double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() - end < 0) {
            long room = capacity - (offered - (long) written.count());
            if (room <= 0) {
                LockSupport.parkNanos(100_000);
                continue;
            }
            for (long i = 0; i < room; i++) {
                ledger.record(mix.next());
            }
            offered += room;
        }
        return offered;
    }

    /** Offers {@code rate} records per second, on schedule whatever the writer does, as the gateway's threads do. */
    private static long openLoop(UsageLedger ledger, LedgerMix mix, SimpleMeterRegistry registry, int rate, double seconds,
                                 long offered, long[] queueMax) {
        var depth = registry.get("portal_usage_queue_depth").gauge();
        long start = System.nanoTime();
        long total = (long) (rate * seconds);
        long sent = 0;
        while (sent < total) {
            long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate));
            for (; sent < due; sent++) {
                ledger.record(mix.next());
            }
            queueMax[0] = Math.max(queueMax[0], (long) depth.value());
            LockSupport.parkNanos(1_000_000);
        }
        return offered + sent;
    }

    /** Waits until everything offered is in PostgreSQL (spooled records count once the writer has replayed them). */
    private static long drain(Counter written, long offered) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while ((long) written.count() < offered && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        return offered;
    }

    private static void putCpu(Map<String, String> out, String p, long records, double seconds, long writerNanos,
                               long procTicks, long[] pg0, long[] pg1, long[] m0, long[] m1) {
        double n = Math.max(1, records);
        out.put(p + "cpu.writer_us_per_record", String.format(Locale.ROOT, "%.1f", writerNanos / 1e3 / n));
        out.put(p + "cpu.writer_pct", String.format(Locale.ROOT, "%.0f", writerNanos / 1e7 / seconds));
        out.put(p + "cpu.process_us_per_record", String.format(Locale.ROOT, "%.1f", procTicks * 1e4 / n));
        out.put(p + "cpu.process_pct", String.format(Locale.ROOT, "%.0f", procTicks / seconds));
        out.put(p + "cpu.postgres_backends_us_per_record", String.format(Locale.ROOT, "%.1f", (pg1[0] - pg0[0]) * 1e4 / n));
        out.put(p + "cpu.postgres_backends_pct", String.format(Locale.ROOT, "%.0f", (pg1[0] - pg0[0]) / seconds));
        out.put(p + "cpu.postgres_background_us_per_record", String.format(Locale.ROOT, "%.1f", (pg1[1] - pg0[1]) * 1e4 / n));
        if (m0 != null && m1 != null && m1[1] > m0[1]) {
            out.put(p + "machine_busy_pct", String.format(Locale.ROOT, "%.0f", 100.0 * (m1[0] - m0[0]) / (m1[1] - m0[1])));
        }
    }

    /**
     * CPU ticks of PostgreSQL's processes: {this database's backends (the ledger's pool), the server's background
     * processes (WAL writer, checkpointer, autovacuum...; shared with any other database on the server)}.
     */
    private static long[] postgresTicks(Database db) {
        List<long[]> rows = db.jdbi().withHandle(h -> h.createQuery("""
                SELECT pid, CASE WHEN datname = current_database() THEN 0 ELSE 1 END
                FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL""")
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).list());
        long[] t = new long[2];
        for (long[] r : rows) {
            t[(int) r[1]] += CpuMeter.ticks(Long.toString(r[0]));
        }
        return t;
    }

    /** {@code keys} active keys: a quarter of them belong to organizations, the rest to their users. */
    private static List<long[]> seedKeys(Database db, int keys) {
        return db.jdbi().inTransaction(h -> {
            List<long[]> out = new ArrayList<>();
            long org = 0;
            for (int i = 0; i < keys; i++) {
                long user = h.createQuery("INSERT INTO users (email) VALUES (:e) RETURNING id")
                        .bind("e", "ledger-" + i + "@example.com").mapTo(Long.class).one();
                Long orgId = null;
                if (i % 4 == 0) {
                    if (i % 20 == 0) {
                        org = h.createQuery("INSERT INTO organizations (name, created_by) VALUES (:n, :u) RETURNING id")
                                .bind("n", "org-" + i).bind("u", user).mapTo(Long.class).one();
                    }
                    orgId = org;
                }
                long key = h.createQuery("""
                        INSERT INTO api_keys (public_id, secret_hash, name, user_id, organization_id)
                        VALUES (:p, :h, 'bench', :u, :o) RETURNING id""")
                        .bind("p", "ledger" + i).bind("h", new byte[32]).bind("u", user).bind("o", orgId)
                        .mapTo(Long.class).one();
                out.add(new long[] {key, user, orgId == null ? -1 : orgId});
            }
            return out;
        });
    }

    private static long writerThreadId() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("usage-writer"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no usage-writer thread")).threadId();
    }

    private static long count(Database db, String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
