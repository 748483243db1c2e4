package ai.cortensor.portal;

import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.routersim.Behavior;
import ai.cortensor.routersim.RouterSim;
import ai.cortensor.routersim.SimConfig;
import ai.cortensor.testkit.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The real product for integration tests: a fresh PostgreSQL database, two router simulators behind the
 * {@code default} pool, and the server on a free port, all over real HTTP. One per test class.
 */
final class PortalHarness implements AutoCloseable {
    static final String ROUTER_KEY = "sim-router-secret-7f3a9c";

    final TestDatabase db;
    final RouterSim simA;
    final RouterSim simB;
    final Path dataDir;
    final PortalConfig config;
    private final Map<String, String> values;
    final Portal portal;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    PortalHarness() {
        this(Map.of());
    }

    PortalHarness(Map<String, String> extraConfig) {
        try {
            dataDir = Files.createTempDirectory("portal-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        db = TestDatabase.create();
        SimConfig sim = SimConfig.defaults().withApiKey(ROUTER_KEY).withSessionIds(Set.of(11L));
        simA = RouterSim.start(sim.withName("sim-a"));
        simB = RouterSim.start(sim.withName("sim-b"));
        values = new HashMap<>(Map.of(
                "http.port", "0",
                "data.dir", dataDir.toString(),
                "database.url", db.url(),
                "pool.default.targets", "cortensor-v3 " + simA.baseUrl() + " session=11 key=main name=a, "
                        + "cortensor-v3 " + simB.baseUrl() + " session=11 key=main name=b",
                "router.secret.main", ROUTER_KEY,
                "router.read-timeout", "PT3S",
                "router.request-timeout", "PT3S",
                "usage.flush-interval", "PT0.02S",
                "usage.retry-interval", "PT0.2S"));
        values.put("management.port", "0"); // several portals per JVM: each its own free management port
        // extra values may name the harness's simulators as ${A} and ${B}
        extraConfig.forEach((k, v) -> values.put(k, v.replace("${A}", simA.baseUrl()).replace("${B}", simB.baseUrl())));
        config = ConfigLoader.fromMap(values);
        portal = Portal.start(config, InstantSource.system());
    }

    /** Another simulated router like the harness's own (same router key and session 11), for tests with more targets. */
    static RouterSim startSim(String name) {
        return RouterSim.start(SimConfig.defaults().withApiKey(ROUTER_KEY).withSessionIds(Set.of(11L)).withName(name));
    }

    String baseUrl() {
        return "http://127.0.0.1:" + portal.port();
    }

    /** The operators' listener: {@code /metrics}, {@code /health}, {@code /ready}. */
    String managementUrl() {
        return "http://127.0.0.1:" + portal.managementPort();
    }

    /** The Prometheus text from the management listener. */
    String metrics() {
        return metrics(portal);
    }

    String metrics(Portal replica) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.managementPort() + "/metrics"))
                .timeout(Duration.ofSeconds(30)).GET().build()).body();
    }

    /**
     * Another replica of the same product: same configuration, database and simulators, its own port, data
     * directory, caches and change-feed listener. The caller closes it.
     */
    Portal startReplica(String name) {
        Map<String, String> replica = new HashMap<>(values);
        replica.put("http.port", "0");
        replica.put("management.port", "0");
        replica.put("data.dir", dataDir.resolve("replica-" + name).toString());
        return Portal.start(ConfigLoader.fromMap(replica), InstantSource.system());
    }

    Jdbi jdbi() {
        return portal.database().jdbi();
    }

    /** Adds a plan for a test: {@code limits} is the JSON object of plans.limits. */
    void plan(String code, String limitsJson) {
        jdbi().useHandle(h -> h.createUpdate("INSERT INTO plans (code, name, limits) VALUES (:c, :c, CAST(:l AS jsonb))")
                .bind("c", code).bind("l", limitsJson).execute());
    }

    /** Makes both simulators behave the same way. */
    void behave(Behavior b) {
        simA.behave(b);
        simB.behave(b);
    }

    /** A key of a new account on the dedicated plan (limits far above what tests send). */
    String newKey(String email) {
        return newKey(email, "dedicated");
    }

    String newKey(String email, String plan) {
        long user = portal.accounts().ensureUser(email, null);
        portal.admission().changePlan(new ai.cortensor.portal.plans.AdmissionControl.AccountRef(user, null), plan);
        return portal.keys().issue("test", user, null, null).token();
    }

    HttpResponse<String> post(String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return send(b.build());
    }

    HttpResponse<String> get(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return send(b.GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The request_logs row of one request, or an empty map while it is not written yet. */
    Map<String, Object> requestLog(String requestId) {
        return jdbi().withHandle(h -> h.createQuery("SELECT * FROM request_logs WHERE request_id = :id")
                .bind("id", requestId).mapToMap().findOne().orElse(Map.of()));
    }

    long count(String sql) {
        return count(jdbi(), sql);
    }

    static long count(Jdbi jdbi, String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    List<Map<String, Object>> usageEvents(String requestId) {
        return jdbi().withHandle(h -> h.createQuery("SELECT * FROM usage_events WHERE request_id = :id")
                .bind("id", requestId).mapToMap().list());
    }

    static String chatBody(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the test\"}]}";
    }

    @Override
    public void close() {
        portal.close();
        simA.close();
        simB.close();
        db.close();
    }
}
