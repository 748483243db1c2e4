package ai.cortensor.portal.chaos;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis of the chaos suite's own ({@code redis-server} as a child process on a free port), which it may stop and
 * start; never the machine's shared Redis. It persists every write (append-only file, fsync always), as
 * limits.md advises for limit counters, so a restarted Redis still holds the counts it had.
 */
final class PrivateRedis implements AutoCloseable {
    private final Path binary;
    private final int port;
    private final Path dir;
    private final Path log;
    private Process process;

    private PrivateRedis(Path binary, int port, Path dir) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
        this.log = dir.resolve("redis.log");
    }

    /**
     * The {@code redis-server} binary, or: skipped with the reason on a developer machine, failed under {@code CI=true}
     * (where the chaos suite must run whole).
     */
    static Path binary() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/opt/homebrew/bin")) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "redis-server");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        String why = "redis-server is not installed (apt-get install redis-server): the Redis chaos scenario needs a "
                + "Redis it can stop";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why);
        }
        assumeTrue(false, why);
        return null;
    }

    /** {@code dir}: its append-only file and log, emptied first. */
    static PrivateRedis start(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivateRedis r = new PrivateRedis(binary(), Ports.free(), dir);
        r.start();
        return r;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", dir.toAbsolutePath().toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        if (!Ports.awaitAccepting(port, Duration.ofSeconds(10))) {
            throw new IllegalStateException("redis-server did not listen on " + port + " within 10 s; see " + log);
        }
    }

    /** SIGTERM (Redis flushes its append-only file and exits); returns when the process is gone. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
