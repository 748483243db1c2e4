package ai.cortensor.portal.pools;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health: every {@code health.probe-interval} each enabled target gets a {@code GET /api/v1/ping} (or
 * {@code /v1/models} for an OpenAI-compatible server). A target that keeps failing is probed less often (the
 * interval doubles per failure up to eight times the interval); three failed probes in a row eject a healthy
 * target, and a good probe lets an ejected one take its half-open trial request at once.
 */
public final class HealthProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthProbe.class);

    /** Where probe results go (metrics). */
    public interface Listener {
        void probed(RouterTarget target, boolean healthy, boolean ejected);
    }

    private final Catalog catalog;
    private final RouterClient client;
    private final Duration interval;
    private final InstantSource clock;
    private final Listener listener;
    private final Map<Long, Backoff> backoff = new ConcurrentHashMap<>();
    private static final java.util.concurrent.ThreadFactory PROBE_THREADS =
            Thread.ofPlatform().name("health-probe-", 0).daemon(true).factory();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("health-probe").daemon(true).factory());

    private record Backoff(int failures, long nextAt) {}

    public HealthProbe(Catalog catalog, RouterClient client, Duration interval, InstantSource clock, Listener listener) {
        this.catalog = catalog;
        this.client = client;
        this.interval = interval;
        this.clock = clock;
        this.listener = listener;
    }

    public HealthProbe start() {
        long ms = Math.max(50, interval.toMillis());
        scheduler.scheduleWithFixedDelay(this::round, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Probes every target that is due, in parallel, and waits for them. */
    void round() {
        long now = clock.millis();
        // platform threads, scheduled by the OS: a probe must not queue behind thousands of busy request threads
        // (with the CPUs saturated by streams, virtual-thread probes timed out and ejected healthy routers)
        try (var probes = Executors.newThreadPerTaskExecutor(PROBE_THREADS)) {
            for (TargetHealth member : catalog.targets()) {
                Backoff b = backoff.get(member.target().id());
                if (b == null || now >= b.nextAt()) {
                    probes.submit(() -> probe(member));
                }
            }
        } catch (RuntimeException e) {
            log.warn("health probe round failed: {}", e.toString());
        }
    }

    private void probe(TargetHealth member) {
        RouterTarget target = member.target();
        String problem = client.probe(target, Duration.ofMillis(Math.min(2_000, Math.max(200, interval.toMillis()))));
        boolean healthy = problem == null;
        boolean ejected = healthy ? member.probed(true, "ok")
                : RouterClient.PROBE_TIMEOUT.equals(problem) ? member.probeTimedOut() : member.probed(false, problem);
        if (healthy) {
            backoff.remove(target.id());
        } else {
            Backoff prev = backoff.get(target.id());
            int failures = prev == null ? 1 : prev.failures() + 1;
            long wait = interval.toMillis() * (1L << Math.min(failures - 1, 3));
            backoff.put(target.id(), new Backoff(failures, clock.millis() + wait));
            if (ejected) {
                log.warn("router target {} ejected after failed health probes ({})", target, problem);
            }
        }
        listener.probed(target, healthy, ejected);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
