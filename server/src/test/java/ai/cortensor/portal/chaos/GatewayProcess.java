package ai.cortensor.portal.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway as operators run it: {@code java -jar target/portal.jar serve} in a child JVM, configured only by
 * {@code PORTAL_*} environment variables, on a fixed port and data directory that survive restarts, its output in
 * {@code target/chaos/<name>-<n>.log}. SIGKILL is {@link Process#destroyForcibly()}, SIGTERM {@link Process#destroy()}.
 */
final class GatewayProcess implements AutoCloseable {
    static final Path JAR = Path.of("target", "portal.jar");

    private final String name;
    private final Map<String, String> config;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;
    private final List<Path> logs = new java.util.ArrayList<>();
    private int starts;

    /** {@code config} holds configuration keys ({@code router.read-timeout}); the port is chosen here. */
    GatewayProcess(String name, Map<String, String> config) {
        this.name = name;
        this.port = Ports.free();
        this.config = new TreeMap<>(config);
        this.config.put("http.port", Integer.toString(port));
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts the JVM and waits until {@code /ready} answers 200; returns how long that took. */
    Duration start() {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: failsafe runs after package");
        }
        long t0 = System.nanoTime();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx768m", "-jar", JAR.toString(), "serve");
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTAL_"));
        config.forEach((k, v) -> pb.environment().put(envName(k), v));
        try {
            Files.createDirectories(Path.of("target", "chaos"));
            Path log = Path.of("target", "chaos", name + "-" + (++starts) + ".log");
            logs.add(log);
            process = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the gateway exited with " + process.exitValue() + " while starting:\n" + tail(40));
            }
            if (ready() == 200) {
                return Duration.ofNanos(System.nanoTime() - t0);
            }
            sleep(50);
        }
        throw new AssertionError("the gateway was not ready within 90 s:\n" + tail(40));
    }

    /** The status of {@code GET /ready}, or 0 when nothing answered (refused, reset, timed out). */
    int ready() {
        return getStatus("/ready");
    }

    int getStatus(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The body of a GET (health, metrics), or null when nothing answered. */
    String get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** SIGKILL: no shutdown hook, no flush; returns once the process is gone. */
    void sigkill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM: the process runs its shutdown; see {@link #awaitExit}. */
    void sigterm() {
        process.destroy();
    }

    /** The exit status, or null if the process still runs after {@code max}. */
    Integer awaitExit(Duration max) {
        try {
            return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The last lines of every run's output, to explain a failure. */
    String tail(int lines) {
        if (logs.isEmpty()) {
            return "(gateway " + name + " never started)";
        }
        StringBuilder sb = new StringBuilder();
        for (Path p : logs) {
            try {
                List<String> all = Files.readAllLines(p, StandardCharsets.UTF_8);
                sb.append("--- ").append(p).append(" (last ").append(Math.min(lines, all.size())).append(" lines) ---\n")
                        .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()))).append('\n');
            } catch (IOException e) {
                sb.append("(cannot read ").append(p).append(": ").append(e).append(")\n");
            }
        }
        return sb.toString();
    }

    static String envName(String key) {
        return "PORTAL_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
