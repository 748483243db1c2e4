package ai.cortensor.portal.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
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
 * The metering write path, off the request path: {@link #record} offers to a bounded queue and returns at once;
 * one writer thread drains it in batches into PostgreSQL. While the database fails, batches (and records that find
 * the queue full) go to a {@link DiskSpool} and are replayed when writes succeed again. Memory is bounded by the
 * queue; writes are idempotent on request id, so a replay never doubles anything. {@link #close()} flushes all.
 */
public final class UsageLedger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);
    private static final RequestRecord STOP = new RequestRecord("", null, "", false, null, null, null, null, "",
            0, null, null, null, null, null, null, 0, null, null, false, List.of());

    private final Consumer<List<RequestRecord>> sink;
    private final DiskSpool spool;
    private final BlockingQueue<RequestRecord> queue;
    private final int batchSize;
    private final long flushNanos;
    private final long retryNanos;
    private final Thread writer;
    private final Counter written;
    private final Counter spooled;
    private final Counter failures;
    private volatile long retryAtNanos;
    private volatile boolean databaseUp = true;

    public UsageLedger(Consumer<List<RequestRecord>> sink, Path spoolDir, int queueCapacity, int batchSize,
                       Duration flushInterval, Duration retryInterval, MeterRegistry metrics) {
        this.sink = sink;
        this.spool = new DiskSpool(spoolDir);
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.batchSize = batchSize;
        this.flushNanos = flushInterval.toNanos();
        this.retryNanos = retryInterval.toNanos();
        this.written = metrics.counter("portal_usage_records_written");
        this.spooled = metrics.counter("portal_usage_records_spooled");
        this.failures = metrics.counter("portal_usage_write_failures");
        Gauge.builder("portal_usage_queue_depth", queue, BlockingQueue::size).register(metrics);
        Gauge.builder("portal_usage_spool_pending", spool, DiskSpool::pendingRecords).register(metrics);
        this.writer = Thread.ofPlatform().name("usage-writer").daemon(true).unstarted(this::run);
    }

    public UsageLedger start() {
        writer.start();
        return this;
    }

    /** Hands over one finished request. Never blocks on the database; spools to disk if the queue is full. */
    public void record(RequestRecord r) {
        if (!queue.offer(r)) {
            spool.append(List.of(r));
            spooled.increment();
        }
    }

    public boolean databaseUp() {
        return databaseUp;
    }

    public long spoolPending() {
        return spool.pendingRecords();
    }

    private void run() {
        List<RequestRecord> batch = new ArrayList<>(batchSize);
        boolean stopping = false;
        while (!stopping) {
            try {
                stopping = collect(batch);
                for (int i = 0; i < batch.size(); i += batchSize) {
                    persist(batch.subList(i, Math.min(batch.size(), i + batchSize)));
                }
                batch.clear();
                if (spool.hasPending() && System.nanoTime() - retryAtNanos >= 0) {
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
    private boolean collect(List<RequestRecord> batch) throws InterruptedException {
        RequestRecord next = queue.poll(flushNanos, TimeUnit.NANOSECONDS);
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

    private void persist(List<RequestRecord> batch) {
        if (!databaseUp && System.nanoTime() - retryAtNanos < 0) {
            spoolBatch(batch);
            return;
        }
        try {
            sink.accept(batch);
            written.increment(batch.size());
            if (!databaseUp) {
                log.info("usage writes to the database succeed again");
            }
            databaseUp = true;
        } catch (RuntimeException e) {
            failed(e);
            spoolBatch(batch);
        }
    }

    private void spoolBatch(List<RequestRecord> batch) {
        spool.append(List.copyOf(batch));
        spooled.increment(batch.size());
    }

    private void failed(RuntimeException e) {
        failures.increment();
        if (databaseUp) {
            log.warn("usage write to the database failed; spooling to disk and retrying every {} ms: {}",
                    TimeUnit.NANOSECONDS.toMillis(retryNanos), e.toString());
        }
        databaseUp = false;
        retryAtNanos = System.nanoTime() + retryNanos;
    }

    /** Moves spooled records into the database, file by file; a file is deleted only after its commit. */
    private void replay() {
        spool.seal();
        for (Path file : spool.sealedFiles()) {
            try {
                List<RequestRecord> records = DiskSpool.read(file);
                for (int i = 0; i < records.size(); i += batchSize) {
                    sink.accept(records.subList(i, Math.min(records.size(), i + batchSize)));
                }
                Files.delete(file);
                written.increment(records.size());
                databaseUp = true;
                log.info("replayed {} spooled usage records from {}", records.size(), file.getFileName());
            } catch (Exception e) {
                failed(e instanceof RuntimeException re ? re : new RuntimeException(e));
                spool.markPending();
                return;
            }
        }
    }

    /** Stops taking the queue's head, writes everything that is queued (or spools it), and returns. */
    @Override
    public void close() {
        try {
            queue.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<RequestRecord> left = new ArrayList<>();
        queue.drainTo(left);
        left.remove(STOP);
        if (!left.isEmpty()) {
            spool.append(left);
        }
    }
}
