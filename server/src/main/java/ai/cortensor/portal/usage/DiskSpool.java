package ai.cortensor.portal.usage;

import ai.cortensor.portal.web.Json;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records that could not reach the database, as JSON lines on local disk (forced to the device on every append),
 * replayed later. Appends go to {@code current.jsonl}; {@link #seal()} renames it to {@code sealed-<n>.jsonl} so
 * a replay reads files nobody writes to. A torn last line (crash mid-write) is skipped with a warning.
 */
final class DiskSpool {
    private static final Logger log = LoggerFactory.getLogger(DiskSpool.class);
    private static final ObjectWriter WRITER = Json.MAPPER.writerFor(RequestRecord.class);
    private static final ObjectReader READER = Json.MAPPER.readerFor(RequestRecord.class);

    private final Path dir;
    private final Path current;
    private final AtomicLong pending = new AtomicLong();
    private FileChannel channel;

    DiskSpool(Path dir) {
        this.dir = dir;
        this.current = dir.resolve("current.jsonl");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create usage spool directory " + dir, e);
        }
        if (Files.exists(current) || !sealedFiles().isEmpty()) {
            pending.set(1); // unknown count from a previous run: make the writer replay
        }
    }

    synchronized void append(List<RequestRecord> records) {
        try {
            if (channel == null) {
                channel = FileChannel.open(current, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            StringBuilder b = new StringBuilder(records.size() * 400);
            for (RequestRecord r : records) {
                b.append(WRITER.writeValueAsString(r)).append('\n');
            }
            ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
            pending.addAndGet(records.size());
        } catch (IOException e) {
            // The disk is the last resort; losing it is an operator emergency, logged loudly with the ids.
            log.error("usage spool write failed; {} records not persisted: {}", records.size(),
                    records.stream().map(RequestRecord::requestId).toList(), e);
        }
    }

    boolean hasPending() {
        return pending.get() > 0;
    }

    long pendingRecords() {
        return pending.get();
    }

    /** Closes the current file and renames it for replay. */
    synchronized void seal() {
        try {
            if (channel != null) {
                channel.close();
                channel = null;
            }
            if (Files.exists(current)) {
                Files.move(current, dir.resolve("sealed-" + System.nanoTime() + ".jsonl"),
                        StandardCopyOption.ATOMIC_MOVE);
            }
            pending.set(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Path> sealedFiles() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("sealed-")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<RequestRecord> read(Path file) throws IOException {
        List<RequestRecord> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(READER.readValue(line));
                } catch (IOException e) {
                    log.warn("skipping unreadable spool line in {} (torn write?)", file.getFileName());
                }
            }
        }
        return out;
    }

    /** Marks that sealed files exist again after a failed replay. */
    void markPending() {
        pending.compareAndSet(0, 1);
    }
}
