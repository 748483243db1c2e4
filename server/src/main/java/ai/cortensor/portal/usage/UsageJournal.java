package ai.cortensor.portal.usage;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local append-only journal of finished requests. Every record is appended here — one {@code write(2)} into the
 * OS page cache, which outlives a crash of this process — before the request's last bytes go to the client, and
 * stays until PostgreSQL has committed it. Records are JSON lines (the {@link RequestRecord} as Jackson writes it)
 * in segment files under the spool directory; a segment is sealed when it holds {@link #SEGMENT_RECORDS} records or
 * is older than {@link #SEAL_AFTER_NANOS}, and deleted once every record in it is committed.
 *
 * <p>Records normally reach the database from memory (the ledger's queue); a segment is <em>replayed</em> from disk
 * instead when some of its records could not be written from memory (the database was down, the queue was full),
 * when an earlier run left it behind (a crash, or a stop while the database was down), or when it stays unsettled
 * for {@link #STALE_NANOS}. Replays are idempotent on request id; within a segment the last record of a request wins
 * (a request re-journaled with a corrected outcome).
 *
 * <p>Why not a library: a memory-mapped queue (Chronicle Queue) needs {@code --add-opens} into the JDK and does not
 * support the JDK we run on; Tape's {@code QueueFile} forces every write to the device and keeps one file behind a
 * global lock. What is needed here is small — append a line, delete a file — and JSON lines stay readable with
 * {@code jq} when an operator has to look.
 *
 * <p>Durability ({@code usage.journal-fsync}): {@code none} relies on the page cache (survives a process crash, not a
 * power loss or kernel panic); {@code interval} forces the current segment to the device every
 * {@code usage.journal-fsync-interval}, so a power loss loses at most that much; {@code always} forces every record
 * before its response completes (see docs/operations.md for what each costs).
 */
final class UsageJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);
    private static final ObjectWriter WRITER = Json.MAPPER.writerFor(RequestRecord.class);
    private static final ObjectReader READER = Json.MAPPER.readerFor(RequestRecord.class);
    private static final byte[] NEWLINE = {'\n'};
    static final int SEGMENT_RECORDS = 16_384;
    static final long SEAL_AFTER_NANOS = 1_000_000_000L;
    static final long STALE_NANOS = 60_000_000_000L;

    enum Fsync { NONE, INTERVAL, ALWAYS }

    /** One segment file. {@code appended} is guarded by the journal's lock; {@code committed} has one writer. */
    static final class Segment {
        final Path file;
        final long openedNanos;
        FileChannel channel; // null once sealed
        int appended;
        volatile int committed;
        volatile boolean replay;

        Segment(Path file, long openedNanos, FileChannel channel) {
            this.file = file;
            this.openedNanos = openedNanos;
            this.channel = channel;
        }
    }

    private final Path dir;
    private final Fsync fsync;
    private final long fsyncNanos;
    private final String prefix;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Segment> sealed = new ArrayList<>(); // guarded by lock
    private Segment current; // guarded by lock; null until the first append after a seal
    private long sequence; // guarded by lock
    private long fsyncedAt = System.nanoTime();
    private volatile long failures; // written under the lock

    UsageJournal(Path dir, Fsync fsync, long fsyncNanos) {
        this.dir = dir;
        this.fsync = fsync;
        this.fsyncNanos = fsyncNanos;
        this.prefix = "journal-" + System.currentTimeMillis() + "-";
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the usage journal directory " + dir, e);
        }
        for (Path file : files()) { // an earlier run's: replayed first (older spool files included)
            Segment s = new Segment(file, System.nanoTime(), null);
            s.appended = countLines(file);
            s.replay = true;
            sealed.add(s);
        }
    }

    /**
     * Appends one record; returns its segment, or null when the disk refused it (logged with the request id; the
     * record still goes to the database from memory).
     */
    Segment append(RequestRecord r) {
        byte[] json;
        try {
            json = WRITER.writeValueAsBytes(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request record is plain data", e);
        }
        lock.lock();
        try {
            Segment s = current;
            if (s == null || s.appended >= SEGMENT_RECORDS) {
                s = open();
            }
            ByteBuffer[] line = {ByteBuffer.wrap(json), ByteBuffer.wrap(NEWLINE)};
            while (line[1].hasRemaining()) {
                s.channel.write(line);
            }
            s.appended++;
            if (fsync == Fsync.ALWAYS) {
                s.channel.force(false);
            }
            return s;
        } catch (IOException e) {
            failures++;
            log.error("usage journal write failed for request {}; it is not crash-proof until written to the "
                    + "database: {}", r.requestId(), e.toString());
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Seals the current segment (if any) and opens the next. Under the lock. */
    private Segment open() throws IOException {
        sealCurrent();
        Path file = dir.resolve(prefix + String.format("%08d", ++sequence) + ".jsonl");
        current = new Segment(file, System.nanoTime(), FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        return current;
    }

    private void sealCurrent() {
        Segment s = current;
        if (s == null) {
            return;
        }
        current = null;
        try {
            if (fsync != Fsync.NONE) {
                s.channel.force(false);
            }
            s.channel.close();
        } catch (IOException e) {
            log.warn("closing usage journal segment {}: {}", s.file.getFileName(), e.toString());
        }
        s.channel = null;
        sealed.add(s);
    }

    /**
     * The writer's housekeeping, between batches: seals an old current segment, forces it to the device when the
     * fsync interval is due, marks long-unsettled segments for replay and deletes every sealed segment whose
     * records are all committed.
     */
    void maintain() {
        long now = System.nanoTime();
        List<Segment> done = new ArrayList<>();
        FileChannel toForce = null;
        lock.lock();
        try {
            if (current != null && now - current.openedNanos > SEAL_AFTER_NANOS) {
                sealCurrent();
            }
            if (fsync == Fsync.INTERVAL && now - fsyncedAt >= fsyncNanos) {
                fsyncedAt = now;
                toForce = current == null ? null : current.channel;
            }
            for (var it = sealed.iterator(); it.hasNext(); ) {
                Segment s = it.next();
                if (!s.replay && s.committed >= s.appended) {
                    it.remove();
                    done.add(s);
                } else if (!s.replay && now - s.openedNanos > STALE_NANOS) {
                    s.replay = true; // a record that never reached the queue: the disk copy settles it
                }
            }
        } finally {
            lock.unlock();
        }
        if (toForce != null) {
            try {
                toForce.force(false);
            } catch (IOException e) {
                log.warn("usage journal fsync failed: {}", e.toString()); // also when sealed meanwhile: harmless
            }
        }
        done.forEach(s -> delete(s.file));
    }

    /** Segments to read back from disk, oldest first; the current one is sealed first if it needs a replay. */
    List<Segment> replayable() {
        lock.lock();
        try {
            if (current != null && current.replay) {
                sealCurrent();
            }
            return sealed.stream().filter(s -> s.replay).toList();
        } finally {
            lock.unlock();
        }
    }

    boolean replayPending() {
        lock.lock();
        try {
            return (current != null && current.replay) || sealed.stream().anyMatch(s -> s.replay);
        } finally {
            lock.unlock();
        }
    }

    /** A replayed segment is committed: gone from disk and from the books. */
    void replayed(Segment s) {
        lock.lock();
        try {
            sealed.remove(s);
        } finally {
            lock.unlock();
        }
        delete(s.file);
    }

    /** Records on disk not yet committed to the database. */
    long uncommitted() {
        lock.lock();
        try {
            long n = current == null ? 0 : Math.max(0, current.appended - current.committed);
            for (Segment s : sealed) {
                n += Math.max(0, s.appended - s.committed);
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Records waiting to be replayed from disk. */
    long replayBacklog() {
        lock.lock();
        try {
            long n = current != null && current.replay ? Math.max(0, current.appended - current.committed) : 0;
            for (Segment s : sealed) {
                n += s.replay ? Math.max(0, s.appended - s.committed) : 0;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets aside a record the database refuses for its content in {@code rejected-<day>.txt} (not {@code .jsonl}: it
     * must not be replayed), for an operator to look at and fix by hand.
     */
    void reject(RequestRecord r) {
        try {
            byte[] json = WRITER.writeValueAsBytes(r);
            Path file = dir.resolve("rejected-" + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + ".txt");
            lock.lock();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ch.write(new ByteBuffer[] {ByteBuffer.wrap(json), ByteBuffer.wrap(NEWLINE)});
                ch.force(false);
            } finally {
                lock.unlock();
            }
        } catch (IOException e) {
            log.error("cannot set aside rejected usage record {}: {}", r.requestId(), e.toString());
        }
    }

    long failures() {
        return failures;
    }

    /** Seals the current segment; files still holding uncommitted records stay for the next start. */
    @Override
    public void close() {
        lock.lock();
        try {
            sealCurrent();
        } finally {
            lock.unlock();
        }
        maintain();
    }

    /** A segment's records, the last of each request id winning; a torn line (crash mid-write) is skipped. */
    static List<RequestRecord> read(Path file) throws IOException {
        Map<String, RequestRecord> out = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    RequestRecord record = READER.readValue(line);
                    out.put(record.requestId(), record);
                } catch (IOException e) {
                    log.warn("skipping an unreadable usage journal line in {} (torn write?)", file.getFileName());
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private List<Path> files() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int countLines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return (int) Math.min(Integer.MAX_VALUE, lines.filter(l -> !l.isBlank()).count());
        } catch (IOException | UncheckedIOException e) {
            return 1;
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot delete committed usage journal segment {}: {}", file.getFileName(), e.toString());
        }
    }
}
