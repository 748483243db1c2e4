package ai.cortensor.portal.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.testkit.FakeClock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoolSelectionTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final PortalConfig.Health policy = PortalConfig.Health.defaults();

    private TargetHealth member(long id, int weight, int max) {
        return new TargetHealth(TargetHealthTest.target(id, weight, max), policy, clock);
    }

    @Test
    void sequential_requests_split_by_weight_within_two_percentage_points() {
        Pool pool = new Pool("p", "dedicated", "live", List.of(member(1, 1, 100), member(2, 3, 100), member(3, 6, 100)), 0.5);
        SplittableRandom random = new SplittableRandom(42);
        Map<Long, Integer> picks = new HashMap<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            TargetHealth t = pool.select(Set.of(), random);
            picks.merge(t.target().id(), 1, Integer::sum);
        }
        assertThat(picks.get(1L) / (double) n).isCloseTo(0.1, within(0.02));
        assertThat(picks.get(2L) / (double) n).isCloseTo(0.3, within(0.02));
        assertThat(picks.get(3L) / (double) n).isCloseTo(0.6, within(0.02));
    }

    @Test
    void under_load_the_target_with_less_in_flight_per_weight_wins() {
        TargetHealth busy = member(1, 1, 100);
        TargetHealth idle = member(2, 1, 100);
        for (int i = 0; i < 5; i++) {
            busy.start();
        }
        Pool pool = new Pool("p", "dedicated", "live", List.of(busy, idle), 0.5);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 100; i++) {
            assertThat(pool.select(Set.of(), random)).isSameAs(idle);
        }
    }

    @Test
    void tried_ejected_and_full_targets_are_skipped_and_none_left_is_null() {
        TargetHealth full = member(1, 1, 1);
        TargetHealth ejected = member(2, 1, 100);
        TargetHealth ok = member(3, 1, 100);
        full.start();
        for (int i = 0; i < 5; i++) {
            ejected.start();
            ejected.finish(TargetHealth.Outcome.FAILURE);
        }
        Pool pool = new Pool("p", "dedicated", "live", List.of(full, ejected, ok), 0.5);
        SplittableRandom random = new SplittableRandom(7);
        assertThat(pool.select(Set.of(), random)).isSameAs(ok);
        assertThat(pool.select(Set.of(3L), random)).isNull();
    }

    @Test
    void a_live_pool_is_degraded_while_less_than_half_its_weight_is_healthy_and_recovers() {
        TargetHealth a = member(1, 1, 100);
        TargetHealth b = member(2, 2, 100);
        Pool pool = new Pool("p", "dedicated", "live", List.of(a, b), 0.5);
        assertThat(pool.effectiveState()).isEqualTo("live");
        for (int i = 0; i < 5; i++) {
            b.start();
            b.finish(TargetHealth.Outcome.FAILURE);
        }
        assertThat(pool.effectiveState()).isEqualTo("degraded");
        assertThat(pool.routable()).as("still routable on the healthy target").isTrue();
        clock.advance(policy.ejection());
        b.start();
        b.finish(TargetHealth.Outcome.SUCCESS);
        assertThat(pool.effectiveState()).isEqualTo("live");
    }

    @Test
    void paused_and_draining_pools_take_no_new_requests() {
        for (String state : List.of("paused", "draining")) {
            Pool pool = new Pool("p", "dedicated", state, List.of(member(1, 1, 10)), 0.5);
            assertThat(pool.accepting()).isFalse();
            assertThat(pool.routable()).isFalse();
            assertThat(pool.effectiveState()).isEqualTo(state);
        }
    }
}
