package ai.cortensor.portal.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metering write path. On the request thread a finished request's record is appended to the local
 * {@link UsageJournal} (so a crash of the process after the response loses nothing) and offered to a bounded queue;
 * one writer thread drains the queue in batches into PostgreSQL, idempotently on request id, and tells the journal
 * what is committed so it can delete it. While the database fails, or when the queue is full, the records stay only
 * in the journal and are replayed from disk once writes succeed again. Memory is bounded by the queue.
 *
 * <p>{@link #journal} and {@link #record(Journaled)} split the two steps for the gateway: the record is journaled
 * before the response's last bytes and queued after them; {@link #supersede} replaces it when the outcome changed in
 * between (the client left during the last write). {@link #close()} writes everything queued.
 */
public final class UsageLedger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);
    private static final Entry STOP = new Entry(null, null, null);

    /** A record journaled but not yet queued. */
    public static final class Journaled {
        private final RequestRecord record;
        private final UsageJournal.Segment segment;

        private Journaled(RequestRecord record, UsageJournal.Segment segment) {
            this.record = record;
            this.segment = segment;
        }

        public RequestRecord record() {
            return record;
        }
    }

    /** A queued record, its journal segment (null if the disk refused it) and the segment of a record it replaced. */
    private record Entry(RequestRecord record, UsageJournal.Segment segment, UsageJournal.Segment superseded) {}

    private final Consumer<List<RequestRecord>> sink;
    private final UsageJournal journal;
    private final BlockingQueue<Entry> queue;
    private final int batchSize;
    private final long flushNanos;
    private final long retryNanos;
    private final Thread writer;
    private final Counter written;
    private final Counter spooled;
    private final Counter failures;
    private final Counter rejected;
    private volatile long retryAtNanos = System.nanoTime();
    private volatile boolean databaseUp = true;

    public UsageLedger(Consumer<List<RequestRecord>> sink, Path journalDir, int queueCapacity, int batchSize,
                       Duration flushInterval, Duration retryInterval, MeterRegistry metrics) {
        this(sink, journalDir, "none", Duration.ofSeconds(1), queueCapacity, batchSize, flushInterval, retryInterval,
                metrics);
    }

    /** @param fsync {@code none}, {@code interval} (every {@code fsyncInterval}) or {@code always}; see {@link UsageJournal} */
    public UsageLedger(Consumer<List<RequestRecord>> sink, Path journalDir, String fsync, Duration fsyncInterval,
                       int queueCapacity, int batchSize, Duration flushInterval, Duration retryInterval,
                       MeterRegistry metrics) {
        this.sink = sink;
        this.journal = new UsageJournal(journalDir, UsageJournal.Fsync.valueOf(fsync.toUpperCase(java.util.Locale.ROOT)),
                fsyncInterval.toNanos());
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.batchSize = batchSize;
        this.flushNanos = flushInterval.toNanos();
        this.retryNanos = retryInterval.toNanos();
        this.written = metrics.counter("portal_usage_records_written");
        this.spooled = metrics.counter("portal_usage_records_spooled");
        this.failures = metrics.counter("portal_usage_write_failures");
        this.rejected = metrics.counter("portal_usage_records_rejected");
        Gauge.builder("portal_usage_queue_depth", queue, BlockingQueue::size).register(metrics);
        Gauge.builder("portal_usage_spool_pending", journal, UsageJournal::replayBacklog)
                .description("Usage records waiting to be replayed from the journal on disk").register(metrics);
        Gauge.builder("portal_usage_journal_records", journal, UsageJournal::uncommitted)
                .description("Usage records in the local journal not yet committed to the database").register(metrics);
        FunctionCounter.builder("portal_usage_journal_failures_total", journal, UsageJournal::failures)
                .description("Usage records the local journal could not write (disk full or failing)").register(metrics);
        this.writer = Thread.ofPlatform().name("usage-writer").daemon(true).unstarted(this::run);
    }

    public UsageLedger start() {
        writer.start();
        return this;
    }

    /** Hands over one finished request: journaled, then queued for the database. Never waits on the database. */
    public void record(RequestRecord r) {
        enqueue(new Entry(r, journal.append(r), null));
    }

    /** Step one of {@link #record(RequestRecord)}: the record is on the journal, crash-proof, but not queued yet. */
    public Journaled journal(RequestRecord r) {
        return new Journaled(r, journal.append(r));
    }

    /** Step two: the journaled record goes to the database. */
    public void record(Journaled j) {
        enqueue(new Entry(j.record, j.segment, null));
    }

    /** The journaled record was premature: {@code r} (same request id) replaces it. */
    public void supersede(Journaled j, RequestRecord r) {
        enqueue(new Entry(r, journal.append(r), j.segment));
    }

    private void enqueue(Entry e) {
        if (queue.offer(e)) {
            return;
        }
        spooled.increment();
        if (e.segment() != null) {
            e.segment().replay = true; // the disk copy reaches the database instead
        } else {
            log.error("usage record {} lost: the queue is full and the journal refused it", e.record().requestId());
        }
        if (e.superseded() != null) {
            e.superseded().replay = true;
        }
    }

    public boolean databaseUp() {
        return databaseUp;
    }

    /** Records waiting to be replayed from disk (the database was down, or the queue full). */
    public long spoolPending() {
        return journal.replayBacklog();
    }

    private void run() {
        List<Entry> batch = new ArrayList<>(batchSize);
        boolean stopping = false;
        while (!stopping) {
            try {
                stopping = collect(batch);
                for (int i = 0; i < batch.size(); i += batchSize) {
                    persist(batch.subList(i, Math.min(batch.size(), i + batchSize)));
                }
                batch.clear();
                journal.maintain();
                if (System.nanoTime() - retryAtNanos >= 0 && journal.replayPending()) {
                    replay();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            } catch (RuntimeException e) {
                log.error("usage writer loop error", e);
            }
        }
    }

    /**
     * Fills {@code batch}: waits up to the flush interval for a first record, then lingers up to one more flush
     * interval for the batch to fill, taking whatever is queued in one {@code drainTo} (one lock, not one per record,
     * so the writer contends less with the request threads that offer). Returns true when {@link #close()} asked to
     * stop (all records before the stop marker are in the batch).
     */
    private boolean collect(List<Entry> batch) throws InterruptedException {
        Entry next = queue.poll(flushNanos, TimeUnit.NANOSECONDS);
        long deadline = System.nanoTime() + flushNanos;
        int checked = 0;
        while (next != null) {
            batch.add(next);
            queue.drainTo(batch, batchSize - batch.size());
            for (int i = checked; i < batch.size(); i++) {
                if (batch.get(i) == STOP) {
                    queue.drainTo(batch); // whatever raced in behind the marker
                    batch.removeIf(r -> r == STOP);
                    return true;
                }
            }
            checked = batch.size();
            if (batch.size() >= batchSize) {
                return false;
            }
            long left = deadline - System.nanoTime();
            next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
        }
        return false;
    }

    private void persist(List<Entry> batch) {
        if (!databaseUp && System.nanoTime() - retryAtNanos < 0) {
            leaveToJournal(batch);
            return;
        }
        List<RequestRecord> records = new ArrayList<>(batch.size());
        for (Entry e : batch) {
            records.add(e.record());
        }
        try {
            write(records);
        } catch (RuntimeException e) {
            failed(e);
            leaveToJournal(batch);
            return;
        }
        for (Entry e : batch) {
            committed(e.segment());
            committed(e.superseded());
        }
        if (!databaseUp) {
            log.info("usage writes to the database succeed again");
        }
        databaseUp = true;
    }

    private static void committed(UsageJournal.Segment s) {
        if (s != null) {
            s.committed++; // the writer thread is the only one that writes it
        }
    }

    /**
     * Writes a batch. When the database refuses it for its content (a record that breaks a constraint — a bug, but
     * one record must not stop metering for everyone), the batch is written record by record and each refused
     * record is set aside in {@code rejected-*.jsonl} beside the journal, logged and counted. A failure of the
     * database itself propagates: the batch waits in the journal.
     */
    private void write(List<RequestRecord> records) {
        try {
            sink.accept(records);
            written.increment(records.size());
            return;
        } catch (RuntimeException e) {
            if (!refusedContent(e)) {
                throw e;
            }
        }
        for (RequestRecord r : records) {
            try {
                sink.accept(List.of(r));
                written.increment();
            } catch (RuntimeException e) {
                if (!refusedContent(e)) {
                    throw e;
                }
                reject(r, e);
            }
        }
    }

    private void reject(RequestRecord r, RuntimeException e) {
        rejected.increment();
        log.error("the database refuses usage record {} ({}); set aside in the journal directory's rejected file",
                r.requestId(), e.toString());
        journal.reject(r);
    }

    /** SQLSTATE class 22 (data exception) or 23 (integrity constraint violation): this content, not the database. */
    static boolean refusedContent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null) {
                return s.getSQLState().startsWith("22") || s.getSQLState().startsWith("23");
            }
        }
        return false;
    }

    /** The batch is dropped from memory; its journal segments will be replayed from disk. */
    private void leaveToJournal(List<Entry> batch) {
        spooled.increment(batch.size());
        for (Entry e : batch) {
            if (e.segment() == null) {
                log.error("usage record {} lost: the database and the journal both refused it", e.record().requestId());
            } else {
                e.segment().replay = true;
            }
            if (e.superseded() != null) {
                e.superseded().replay = true;
            }
        }
    }

    private void failed(RuntimeException e) {
        failures.increment();
        if (databaseUp) {
            log.warn("usage write to the database failed; keeping records in the local journal and retrying every "
                    + "{} ms: {}", TimeUnit.NANOSECONDS.toMillis(retryNanos), e.toString());
        }
        databaseUp = false;
        retryAtNanos = System.nanoTime() + retryNanos;
    }

    /** Writes journal segments from disk into the database, oldest first; a file is deleted only after its commit. */
    private void replay() {
        for (UsageJournal.Segment segment : journal.replayable()) {
            try {
                List<RequestRecord> records = UsageJournal.read(segment.file);
                for (int i = 0; i < records.size(); i += batchSize) {
                    write(records.subList(i, Math.min(records.size(), i + batchSize)));
                }
                journal.replayed(segment);
                databaseUp = true;
                log.info("replayed {} usage records from the journal ({})", records.size(), segment.file.getFileName());
            } catch (Exception e) {
                failed(e instanceof RuntimeException re ? re : new RuntimeException(e));
                return;
            }
        }
    }

    /** Writes everything queued (what the database refuses stays in the journal for the next start), then returns. */
    @Override
    public void close() {
        try {
            queue.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.close();
    }
}
