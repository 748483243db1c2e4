package ai.cortensor.portal.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Request-path metrics: requests by route, model, pool and outcome; latency and time-to-first-token histograms.
 * Meters are cached by their tag values so recording a request allocates nothing in steady state.
 */
public final class GatewayMetrics {
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> latency = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> ttft = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void request(Trace t, long endNanos) {
        String model = t.target == null ? "none" : t.model;
        String pool = t.target == null ? "none" : t.target.pool();
        String outcome = t.status + (t.errorCode == null ? "" : ":" + t.errorCode);
        String key = t.route.path() + '|' + model + '|' + pool + '|' + outcome;
        counters.computeIfAbsent(key, k -> Counter.builder("portal_requests")
                .tag("route", t.route.path()).tag("model", model).tag("pool", pool)
                .tag("status", t.status).tag("code", t.errorCode == null ? "" : t.errorCode)
                .register(registry)).increment();
        if (t.target == null) {
            return;
        }
        String timerKey = t.route.path() + '|' + model + '|' + pool;
        latency.computeIfAbsent(timerKey, k -> timer("portal_request_duration", t.route.path(), model, pool))
                .record(endNanos - t.startNanos, TimeUnit.NANOSECONDS);
        if (t.firstByteNanos != 0) {
            ttft.computeIfAbsent(timerKey, k -> timer("portal_time_to_first_token", t.route.path(), model, pool))
                    .record(t.firstByteNanos - t.startNanos, TimeUnit.NANOSECONDS);
        }
    }

    private Timer timer(String name, String route, String model, String pool) {
        return Timer.builder(name).tag("route", route).tag("model", model).tag("pool", pool)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
    }
}
