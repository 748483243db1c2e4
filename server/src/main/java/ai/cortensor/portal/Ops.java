package ai.cortensor.portal;

import ai.cortensor.portal.json.Json;
import ai.cortensor.portal.web.ApiFallbacks;
import ai.cortensor.portal.web.WebHeaders;
import ai.cortensor.portal.plans.Limiter;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Pool;
import ai.cortensor.portal.usage.UsageLedger;
import io.helidon.http.HeaderNames;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.InstantSource;

/**
 * {@code /health} (gateway state and pool aliases; never router URLs or sessions; 503 when {@code unavailable}),
 * {@code /ready} (can serve traffic) and {@code /metrics} (Prometheus text, on the management listener only).
 */
public final class Ops {
    private final Catalog catalog;
    private final UsageLedger ledger;
    private final PrometheusMeterRegistry registry;
    /** One platform thread for every replica in this JVM: scrapes are rare and short. */
    private static final java.util.concurrent.ExecutorService SCRAPER = java.util.concurrent.Executors
            .newSingleThreadExecutor(Thread.ofPlatform().name("metrics-scrape").daemon(true).factory());
    private final String version;
    private final Limiter limiter;
    private final java.util.function.BooleanSupplier shuttingDown;

    public Ops(Catalog catalog, UsageLedger ledger, Limiter limiter, PrometheusMeterRegistry registry, String version,
               java.util.function.BooleanSupplier shuttingDown) {
        this.shuttingDown = shuttingDown;
        this.catalog = catalog;
        this.limiter = limiter;
        this.ledger = ledger;
        this.registry = registry;
        this.version = version;
    }

    /**
     * The operators' listener ({@code management.host}:{@code management.port}): {@code /metrics} is served here
     * only, never on the customers' port; {@code /health} and {@code /ready} are on both.
     */
    public HttpRouting.Builder managementRouting(InstantSource clock) {
        return HttpRouting.builder()
                .addFilter(WebHeaders.requestIdFilter(clock))
                .get("/health", this::health)
                .get("/ready", this::ready)
                .get("/metrics", this::metrics)
                .any(ApiFallbacks::notFound)
                .error(Throwable.class, ApiFallbacks::unexpected);
    }

    public void health(ServerRequest req, ServerResponse res) {
        boolean routable = catalog.pools().stream().anyMatch(Pool::routable);
        boolean databaseUp = ledger.databaseUp();
        Limiter.Store limits = limiter.store();
        // limits that cannot be counted: served anyway (local, open) is degraded; refused (closed) is unavailable
        boolean refusing = !limits.up() && "closed".equals(limits.failurePolicy());
        String status = !routable || refusing ? "unavailable" : databaseUp && limits.up() ? "ok" : "degraded";
        // load balancers and monitors read the status code: unavailable is 503, degraded still serves (200)
        res.status("unavailable".equals(status) ? 503 : 200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("status", status);
            g.writeStringField("version", version);
            g.writeStringField("database", databaseUp ? "up" : "down");
            g.writeNumberField("usage_spool_pending", ledger.spoolPending());
            g.writeObjectFieldStart("limits");
            g.writeStringField("store", limits.name());
            g.writeBooleanField("up", limits.up());
            if (limits.failurePolicy() != null) {
                g.writeStringField("policy", limits.failurePolicy());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("pools");
            for (Pool p : catalog.pools()) {
                g.writeStartObject();
                g.writeStringField("name", p.name());
                g.writeStringField("state", p.effectiveState());
                g.writeNumberField("targets", p.targets().size());
                g.writeNumberField("healthy_targets", p.members().stream()
                        .filter(t -> t.state() == ai.cortensor.portal.pools.TargetHealth.State.HEALTHY).count());
                g.writeNumberField("in_flight", p.inFlight());
                g.writeArrayFieldStart("models");
                for (var m : catalog.models()) {
                    if (p.name().equals(m.pool())) {
                        g.writeString(m.alias());
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    /**
     * Ready when some model has a routable pool and the server is not shutting down. A database outage does not make
     * it unready: usage waits in the journal.
     */
    public void ready(ServerRequest req, ServerResponse res) {
        String reason = shuttingDown.getAsBoolean() ? "shutting down"
                : catalog.models().stream().anyMatch(catalog::serviceable) ? null : "no model has a routable pool";
        res.status(reason == null ? 200 : 503);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(reason == null ? "{\"ready\":true}" : "{\"ready\":false,\"reason\":\"" + reason + "\"}");
    }

    /**
     * The Prometheus text, written on a platform thread: on a virtual thread the JDK's {@code BufferedWriter} starts
     * at 512 chars and grows by each write's length up to 8 KB, and the Prometheus writer's small writes made every
     * scrape copy ~20 MB and cost ~36 ms of CPU (measured here) for ~35 KB of text.
     */
    public void metrics(ServerRequest req, ServerResponse res) {
        String text;
        try {
            text = SCRAPER.submit(() -> registry.scrape()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scraping metrics", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("scraping metrics failed", e.getCause());
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(text);
    }
}
