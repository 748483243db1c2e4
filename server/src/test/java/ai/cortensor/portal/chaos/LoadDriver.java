package ai.cortensor.portal.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Closed-loop load: {@code clients} virtual threads, each on its own keep-alive connection, sending one request
 * after another (kinds from {@link Call.Kind#nth}, or a fixed one) until stopped, and keeping a {@link Call} of
 * every request. A broken connection is replaced by a new one for the next request.
 */
final class LoadDriver implements AutoCloseable {
    private final int port;
    private final String key;
    private final String model;
    private final int clients;
    private final LongFunction<Call.Kind> kinds;
    private final Duration pause;
    private final int readTimeoutMillis;
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    /** Client → when its stream in flight started (absent while it sends no stream). */
    private final java.util.concurrent.ConcurrentHashMap<Integer, Long> streamsInFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running;

    private LoadDriver(int port, String key, String model, int clients, LongFunction<Call.Kind> kinds, Duration pause,
                       int readTimeoutMillis) {
        this.port = port;
        this.key = key;
        this.model = model;
        this.clients = clients;
        this.kinds = kinds;
        this.pause = pause;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /** The standard mix (30 % streams, three dialects), back to back. */
    static LoadDriver start(int port, String key, String model, int clients) {
        return new LoadDriver(port, key, model, clients, Call.Kind::nth, Duration.ZERO, 30_000).start();
    }

    /** One kind of request, each client pausing {@code pause} between requests (a paced client). */
    static LoadDriver paced(int port, String key, String model, int clients, Call.Kind kind, Duration pause) {
        return new LoadDriver(port, key, model, clients, k -> kind, pause, 30_000).start();
    }

    private LoadDriver start() {
        running = true;
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofVirtual().name("chaos-client-" + c).start(() -> loop(client)));
        }
        return this;
    }

    private void loop(int client) {
        RawHttp http = new RawHttp("127.0.0.1", port, readTimeoutMillis);
        long k = client; // clients start at different points of the mix
        try {
            while (running) {
                Call.Kind kind = kinds.apply(k++);
                long start = System.nanoTime();
                if (kind.stream) {
                    streamsInFlight.put(client, start);
                }
                try {
                    RawHttp.Response r = http.post(kind.path, kind.headers(key), kind.body(model));
                    calls.add(Call.of(kind, key, r, start, System.nanoTime()));
                    if (r.status() == 503) {
                        pace(Duration.ofMillis(100)); // as an SDK honours Retry-After, if more eagerly
                    }
                } catch (IOException | RuntimeException e) {
                    calls.add(Call.unanswered(kind, key, start, System.nanoTime(), e));
                    http.close();
                    pace(Duration.ofMillis(20)); // the gateway is away: don't spin on refused connections
                } finally {
                    streamsInFlight.remove(client);
                }
                pace(pause);
            }
        } finally {
            http.close();
        }
    }

    private static void pace(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int clients() {
        return clients;
    }

    /** Stops sending; waits for requests in flight to end (each is bounded by the read timeout). */
    List<Call> stop() {
        running = false;
        for (Thread t : threads) {
            try {
                if (!t.join(Duration.ofMillis(readTimeoutMillis + 5_000))) {
                    throw new AssertionError("a chaos client is still waiting after its read timeout: " + t);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return calls();
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Waits until at least {@code n} requests have been answered (or the time is up), for a fault under load. */
    void awaitCalls(int n, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (calls.size() < n && System.nanoTime() < deadline) {
            pace(Duration.ofMillis(20));
        }
        if (calls.size() < n) {
            throw new AssertionError("load did not reach " + n + " answered requests in " + max + " (got "
                    + calls.size() + "): " + calls.stream().limit(5).toList());
        }
    }

    /**
     * Waits until at least {@code n} streams have been in flight for {@code minAge} or longer (surely being served),
     * for a fault that must catch streams mid-way.
     */
    void awaitStreamsInFlight(int n, Duration minAge, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (streamsInFlight.values().stream().filter(t -> now - t >= minAge.toNanos()).count() >= n) {
                return;
            }
            pace(Duration.ofMillis(5));
        }
        throw new AssertionError("never " + n + " streams in flight for " + minAge + " at once within " + max);
    }

    @Override
    public void close() {
        running = false;
        threads.forEach(t -> {
            try {
                t.join(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
