package ai.cortensor.portal.chaos;

import ai.cortensor.portal.accounts.AccountStore;
import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.db.Database;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.plans.PlanStore;
import ai.cortensor.routersim.Behavior;
import ai.cortensor.routersim.RouterSim;
import ai.cortensor.routersim.SimConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Everything the chaos scenarios break, started for real: a PostgreSQL of their own (stoppable), a Redis of their own
 * (on demand), two in-process router simulators over real HTTP, and per scenario a fresh database with seeded keys
 * and the gateway as a child JVM ({@link GatewayProcess}). Files go under {@code target/chaos/}: each gateway's
 * output, and {@code summary.txt} with one line per scenario.
 */
final class ChaosHarness implements AutoCloseable {
    /** The model of the load: its family answers straight away (no reasoning), so the first token reaches the client. */
    static final String MODEL = "gemma-4";
    /** About 100 ms per answer: 20 ms to the first token, 16 tokens at 200 per second. */
    static final Behavior NORMAL = Behavior.defaults().withTtftMillis(20).withTokensPerSecond(200);

    final Path root;
    final PrivatePostgres pg;
    final RouterSim simA;
    final RouterSim simB;
    private PrivateRedis redis;
    private final List<GatewayProcess> gateways = new ArrayList<>();
    private final List<AutoCloseable> extras = new ArrayList<>();

    /** A scenario's own database, with a key on a plan without practical limits (a plan all the same: limits are counted). */
    record Scenario(String name, String dbUrl, Jdbi jdbi, Path dataDir, String key) {
        /** Another account and key on a new plan with these limits ({@code plans.limits} JSON). */
        String keyOnPlan(String email, String plan, String limitsJson) {
            return seedKey(dbUrl, email, plan, limitsJson);
        }
    }

    ChaosHarness() {
        root = Path.of("target", "chaos").toAbsolutePath();
        try {
            Files.createDirectories(root);
            Files.deleteIfExists(root.resolve("summary.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pg = PrivatePostgres.start(root.resolve("pg"));
        SimConfig sim = SimConfig.defaults().withApiKey(Routers.KEY).withSessionIds(Set.of(Routers.SESSION));
        simA = RouterSim.start(sim.withName("sim-a"));
        simB = RouterSim.start(sim.withName("sim-b"));
        behave(NORMAL);
    }

    void behave(Behavior b) {
        simA.behave(b);
        simB.behave(b);
    }

    /** The suite's Redis, started on first use (skips or fails when {@code redis-server} is missing). */
    PrivateRedis redis() {
        if (redis == null) {
            redis = PrivateRedis.start(root.resolve("redis"));
        }
        return redis;
    }

    Scenario scenario(String name) {
        String url = pg.createDatabase("chaos_" + name.replace('-', '_'));
        Path data = root.resolve(name + "-data");
        try {
            if (Files.exists(data)) {
                try (var files = Files.walk(data)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String key = seedKey(url, name + "@chaos.example", "chaos-load",
                "{\"rpm\": 100000000, \"tpm\": 100000000000, \"max_concurrent\": 100000}");
        return new Scenario(name, url, Jdbi.create(url), data, key);
    }

    /**
     * Seeds through the product's own stores (migrating the database first, as {@code create-key} does): a plan, an
     * account on it and a key; returns the key's token.
     */
    private static String seedKey(String dbUrl, String email, String plan, String limitsJson) {
        try (Database db = Database.open(ConfigLoader.fromMap(Map.of("database.url", dbUrl)))) {
            Jdbi jdbi = db.jdbi();
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO plans (code, name, limits) VALUES (:c, :c, CAST(:l AS jsonb)) "
                    + "ON CONFLICT (code) DO NOTHING").bind("c", plan).bind("l", limitsJson).execute());
            long user = new AccountStore(jdbi).ensureUser(email, null);
            if (!new PlanStore(jdbi).changePlan(user, null, plan)) {
                throw new IllegalStateException("no plan " + plan);
            }
            return new ApiKeys(new KeyStore(jdbi), new SecureRandom(), InstantSource.system())
                    .issue("chaos", user, null, null).token();
        }
    }

    /**
     * A gateway for the scenario (not started): its database, data directory, both simulators in the default pool,
     * bounded router timeouts, 1 s health probes; {@code extra} overrides (targets may name {@code ${A}}, {@code ${B}}).
     */
    GatewayProcess gateway(Scenario s, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>();
        config.put("database.url", s.dbUrl());
        config.put("data.dir", s.dataDir().toString());
        config.put("pool.default.targets", "cortensor-v3 ${A} session=11 key=main name=a, "
                + "cortensor-v3 ${B} session=11 key=main name=b");
        config.put("router.secret.main", Routers.KEY);
        config.put("router.read-timeout", "PT5S");
        config.put("router.request-timeout", "PT10S");
        config.put("health.probe-interval", "PT1S");
        // the graceful shutdown's bound (issue 13's drain); an unknown PORTAL_* variable is ignored before it exists
        config.put("shutdown.deadline", "PT10S");
        config.putAll(extra);
        config.replaceAll((k, v) -> v.replace("${A}", simA.baseUrl()).replace("${B}", simB.baseUrl()));
        GatewayProcess g = new GatewayProcess(s.name(), config);
        gateways.add(g);
        return g;
    }

    /** Closed with the harness (external routers, black holes, slow sockets). */
    <T extends AutoCloseable> T closeLater(T resource) {
        extras.add(resource);
        return resource;
    }

    /** One line per scenario, on stdout (the failsafe report) and in {@code target/chaos/summary.txt}. */
    void summary(String line) {
        System.out.println(line);
        try {
            Files.writeString(root.resolve("summary.txt"), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The output tails of the gateways started since the last call, to explain a failure. */
    String gatewayTails() {
        StringBuilder sb = new StringBuilder();
        for (GatewayProcess g : gateways) {
            sb.append(g.tail(60)).append('\n');
        }
        return sb.toString();
    }

    /** Stops the scenario's gateways and extras; the shared servers stay for the next scenario. */
    void endScenario() {
        gateways.forEach(GatewayProcess::close);
        gateways.clear();
        for (AutoCloseable c : extras.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                System.out.println("closing " + c + ": " + e);
            }
        }
        extras.clear();
        pg.start(); // a scenario that failed with PostgreSQL stopped must not break the next one
        behave(NORMAL);
    }

    @Override
    public void close() {
        endScenario();
        if (redis != null) {
            redis.close();
        }
        simA.close();
        simB.close();
        pg.close();
    }
}
