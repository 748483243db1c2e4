package ai.cortensor.portal.gateway;

import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Pool;
import ai.cortensor.portal.pools.RouterTarget;
import ai.cortensor.portal.pools.TargetHealth;
import ai.cortensor.portal.usage.RequestRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Request-path metrics: requests by route, model, pool and outcome; latency and time-to-first-token histograms by
 * pool and target; router attempts by target and outcome; ejections; in-flight per pool and target. Meters are
 * cached by their tag values so recording a request allocates nothing in steady state.
 */
public final class GatewayMetrics {
    private final MeterRegistry registry;
    private final Catalog catalog;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> latency = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> ttft = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Boolean> gauges = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry, Catalog catalog) {
        this.registry = registry;
        this.catalog = catalog;
    }

    /** {@code portal_requests_in_flight}: inference requests this replica is serving now (the overload bound's count). */
    void inFlight(java.util.concurrent.atomic.AtomicInteger count) {
        Gauge.builder("portal_requests_in_flight", count, java.util.concurrent.atomic.AtomicInteger::get)
                .register(registry);
    }

    /** One finished request: its count by route, model, pool and outcome; its latency and time to first token. */
    void request(RequestRecord r, long durationNanos, long ttftNanos) {
        String model = r.target() == null ? "none" : r.model();
        String pool = r.target() == null ? "none" : r.pool();
        String outcome = r.status() + (r.errorCode() == null ? "" : ":" + r.errorCode());
        String key = r.route() + '|' + model + '|' + pool + '|' + outcome;
        counters.computeIfAbsent(key, k -> Counter.builder("portal_requests")
                .tag("route", r.route()).tag("model", model).tag("pool", pool)
                .tag("status", r.status()).tag("code", r.errorCode() == null ? "" : r.errorCode())
                .register(registry)).increment();
        if (r.target() == null) {
            return;
        }
        String target = r.target();
        String timerKey = r.route() + '|' + model + '|' + pool + '|' + target;
        latency.computeIfAbsent(timerKey, k -> timer("portal_request_duration", r.route(), model, pool, target))
                .record(durationNanos, TimeUnit.NANOSECONDS);
        if (ttftNanos != 0) {
            ttft.computeIfAbsent(timerKey, k -> timer("portal_time_to_first_token", r.route(), model, pool, target))
                    .record(ttftNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** One router attempt and whether it ejected its target. */
    void attempt(RouterTarget target, String outcome, boolean ejected) {
        registerGauges(target);
        counters.computeIfAbsent("attempt|" + target.pool() + '|' + target.name() + '|' + outcome,
                k -> Counter.builder("portal_router_attempts").tag("pool", target.pool()).tag("target", target.name())
                        .tag("outcome", outcome).register(registry)).increment();
        if (ejected) {
            counters.computeIfAbsent("eject|" + target.pool() + '|' + target.name(),
                    k -> Counter.builder("portal_target_ejections").tag("pool", target.pool())
                            .tag("target", target.name()).register(registry)).increment();
        }
    }

    /** One active health probe. */
    public void probe(RouterTarget target, boolean healthy, boolean ejected) {
        registerGauges(target);
        String result = healthy ? "ok" : "failed";
        counters.computeIfAbsent("probe|" + target.pool() + '|' + target.name() + '|' + result,
                k -> Counter.builder("portal_health_probes").tag("pool", target.pool()).tag("target", target.name())
                        .tag("result", result).register(registry)).increment();
        if (ejected) {
            counters.computeIfAbsent("eject|" + target.pool() + '|' + target.name(),
                    k -> Counter.builder("portal_target_ejections").tag("pool", target.pool())
                            .tag("target", target.name()).register(registry)).increment();
        }
    }

    /** In-flight and health gauges, read from the live catalog at scrape time (so edits and reloads show). */
    private void registerGauges(RouterTarget target) {
        if (gauges.putIfAbsent(target.pool() + '|' + target.name(), Boolean.TRUE) != null) {
            return;
        }
        Gauge.builder("portal_target_in_flight", () -> member(target).map(TargetHealth::inFlight).orElse(0))
                .tag("pool", target.pool()).tag("target", target.name()).register(registry);
        Gauge.builder("portal_target_healthy", () -> member(target)
                        .map(m -> m.state() == TargetHealth.State.HEALTHY ? 1 : 0).orElse(0))
                .tag("pool", target.pool()).tag("target", target.name()).register(registry);
        if (gauges.putIfAbsent(target.pool(), Boolean.TRUE) == null) {
            Gauge.builder("portal_pool_in_flight", () -> catalog.pool(target.pool()).map(Pool::inFlight).orElse(0))
                    .tag("pool", target.pool()).register(registry);
            Gauge.builder("portal_pool_routable", () -> catalog.pool(target.pool()).map(p -> p.routable() ? 1 : 0)
                    .orElse(0)).tag("pool", target.pool()).register(registry);
        }
    }

    private java.util.Optional<TargetHealth> member(RouterTarget target) {
        return catalog.pool(target.pool()).flatMap(p -> p.members().stream()
                .filter(m -> m.target().name().equals(target.name())).findFirst());
    }

    private Timer timer(String name, String route, String model, String pool, String target) {
        return Timer.builder(name).tag("route", route).tag("model", model).tag("pool", pool).tag("target", target)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
    }
}
