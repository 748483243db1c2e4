package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.pools.PoolStatus;
import ai.cortensor.routersim.Behavior;
import ai.cortensor.routersim.RouterSim;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Target selection, failover and health with three real simulated routers (weights 1, 1, 2) in one pool: a failing
 * router is routed around, ejected, and taken back once it heals; one flaky error ejects nothing.
 */
class PoolHealthIT {
    static PortalHarness harness;
    static RouterSim simC;
    static String key;

    @BeforeAll
    static void start() {
        simC = PortalHarness.startSim("sim-c");
        harness = new PortalHarness(Map.of(
                "pool.default.targets", "cortensor-v3 " + "${A} session=11 key=main name=a weight=1, "
                        + "cortensor-v3 ${B} session=11 key=main name=b weight=1, "
                        + "cortensor-v3 " + simC.baseUrl() + " session=11 key=main name=c weight=2",
                "health.probe-interval", "PT0.2S",
                "health.ejection", "PT1S"));
        harness.plan("unmetered", "{}"); // thousands of requests a minute: no plan limit may interfere
        key = harness.newKey("pools@example.com", "unmetered");
    }

    @AfterAll
    static void stop() {
        harness.close();
        simC.close();
    }

    @BeforeEach
    void healthy() {
        harness.behave(Behavior.defaults());
        simC.behave(Behavior.defaults());
        // a recovering target turns healthy through a half-open trial request, so send some
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            run(10, 1);
            return health("c").equals("healthy");
        });
    }

    static PoolStatus.TargetStatus target(String name) {
        return harness.portal.catalog().status().stream().filter(p -> p.name().equals("default")).findFirst()
                .orElseThrow().targets().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    static String health(String name) {
        return target(name).health();
    }

    @Test
    void with_one_of_three_routers_failing_at_least_999_of_1000_requests_succeed_and_it_is_ejected_then_recovers()
            throws Exception {
        simC.behave(Behavior.defaults().withFailure(Behavior.Failure.HTTP_500));
        int ok = run(1000, 8);
        simC.behave(Behavior.defaults().withFailure(Behavior.Failure.RESET_BEFORE_FIRST_BYTE));
        ok += run(1000, 8);

        assertThat(ok).as("succeeded of 2,000 while router c fails with 5xx, then resets").isGreaterThanOrEqualTo(1998);
        assertThat(health("c")).isIn("ejected", "probing");
        assertThat(target("c").failures()).as("c failed and was routed around").isPositive();
        assertThat(harness.metrics())
                .contains("portal_target_ejections_total{pool=\"default\",target=\"c\"}")
                .contains("portal_router_attempts_total{outcome=\"http_500\",pool=\"default\",target=\"c\"}");

        simC.behave(Behavior.defaults());
        simC.resetStats();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            run(20, 2);
            return health("c").equals("healthy");
        });
        long before = simC.stats().completions();
        run(200, 4);
        assertThat(simC.stats().completions() - before).as("c takes its share again").isGreaterThan(40);
    }

    @Test
    void one_flaky_error_does_not_eject_a_target() throws Exception {
        simC.behave(Behavior.defaults().withFailure(Behavior.Failure.HTTP_502).withFailEveryNth(10));
        int ok = run(200, 1);
        assertThat(ok).isEqualTo(200);
        assertThat(target("c").failures()).as("c failed now and then").isPositive();
        assertThat(health("c")).isEqualTo("healthy");
    }

    @Test
    void sequential_requests_split_by_weight_within_four_percentage_points() throws Exception {
        harness.simA.resetStats();
        harness.simB.resetStats();
        simC.resetStats();
        int n = 2000;
        assertThat(run(n, 1)).isEqualTo(n);
        double a = harness.simA.stats().completions() / (double) n;
        double b = harness.simB.stats().completions() / (double) n;
        double c = simC.stats().completions() / (double) n;
        assertThat(a).isBetween(0.21, 0.29);
        assertThat(b).isBetween(0.21, 0.29);
        assertThat(c).isBetween(0.46, 0.54);
    }

    @Test
    void a_failure_before_the_first_byte_is_retried_on_another_target_and_every_attempt_is_logged() {
        simC.behave(Behavior.defaults().withFailure(Behavior.Failure.HTTP_503).withFailEveryNth(1));
        String id = null;
        for (int i = 0; i < 50 && id == null; i++) {
            HttpResponse<String> r = harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", true));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).endsWith("data: [DONE]\n\n");
            String rid = r.headers().firstValue("x-request-id").orElseThrow();
            Map<String, Object> log = await().until(() -> harness.requestLog(rid), m -> !m.isEmpty());
            if (log.get("attempts").toString().contains("\"c\"")) {
                id = rid;
                assertThat(log.get("status")).isEqualTo("completed");
                assertThat(log.get("target")).isIn("a", "b");
                assertThat(log.get("attempts").toString()).contains("\"outcome\": \"http_503\"").contains("\"outcome\": \"ok\"");
                String forwarded = harness.portal.operations().inspection().request(rid).stages().stream()
                        .filter(st -> st.stage().equals("forwarded")).findFirst().orElseThrow().detail();
                assertThat(forwarded).as("operators see every attempt").contains("2 attempts: default/c http_503");
            }
        }
        assertThat(id).as("some request hit c first").isNotNull();
    }

    /** Sends {@code n} non-streaming chat requests with {@code parallel} clients; returns how many got 200. */
    static int run(int n, int parallel) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> harness.post("/v1/chat/completions", key,
                        PortalHarness.chatBody("qwen", false)).statusCode()));
            }
            int ok = 0;
            for (Future<Integer> f : results) {
                if (f.get() == 200) {
                    ok++;
                }
            }
            return ok;
        } finally {
            pool.shutdown();
        }
    }
}
