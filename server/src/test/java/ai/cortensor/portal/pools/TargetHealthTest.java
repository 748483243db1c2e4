package ai.cortensor.portal.pools;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TargetHealthTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final PortalConfig.Health policy = PortalConfig.Health.defaults(); // 5 in a row, 50% of 20 in 30 s, 5 s
    private final TargetHealth health = new TargetHealth(target(1, 1, 2), policy, clock);

    static RouterTarget target(long id, int weight, int max) {
        return new RouterTarget(id, "t" + id, "p", "cortensor-v3", "http://127.0.0.1:1", 1L, null, weight, max);
    }

    private void fail(int n) {
        for (int i = 0; i < n; i++) {
            health.start();
            health.finish(TargetHealth.Outcome.FAILURE);
        }
    }

    private void succeed(int n) {
        for (int i = 0; i < n; i++) {
            health.start();
            health.finish(TargetHealth.Outcome.SUCCESS);
        }
    }

    @Test
    void one_transient_error_does_not_eject() {
        fail(1);
        succeed(1);
        fail(4);
        assertThat(health.state()).isEqualTo(TargetHealth.State.HEALTHY);
        assertThat(health.selectable()).isTrue();
    }

    @Test
    void consecutive_failures_eject_and_a_successful_trial_after_the_ejection_time_restores() {
        fail(4);
        health.start();
        assertThat(health.finish(TargetHealth.Outcome.FAILURE)).as("the fifth failure in a row ejects").isTrue();
        assertThat(health.state()).isEqualTo(TargetHealth.State.EJECTED);
        assertThat(health.selectable()).isFalse();

        clock.advance(Duration.ofSeconds(5));
        assertThat(health.state()).isEqualTo(TargetHealth.State.PROBING);
        assertThat(health.selectable()).isTrue();
        health.start();
        assertThat(health.selectable()).as("only one half-open trial at a time").isFalse();
        health.finish(TargetHealth.Outcome.SUCCESS);
        assertThat(health.state()).isEqualTo(TargetHealth.State.HEALTHY);
    }

    @Test
    void a_failed_trial_ejects_again_for_twice_as_long() {
        fail(5);
        clock.advance(Duration.ofSeconds(5));
        health.start();
        assertThat(health.finish(TargetHealth.Outcome.FAILURE)).isTrue();
        clock.advance(Duration.ofSeconds(9));
        assertThat(health.state()).isEqualTo(TargetHealth.State.EJECTED);
        clock.advance(Duration.ofSeconds(1));
        assertThat(health.state()).isEqualTo(TargetHealth.State.PROBING);
    }

    @Test
    void an_error_rate_over_the_window_ejects_even_without_a_run_of_failures() {
        for (int i = 0; i < 10; i++) {
            succeed(1);
            fail(1);
        }
        assertThat(health.state()).as("10 of 20 failed: 50%").isEqualTo(TargetHealth.State.EJECTED);
    }

    @Test
    void errors_older_than_the_window_do_not_count() {
        for (int i = 0; i < 9; i++) {
            succeed(1);
            fail(1);
        }
        clock.advance(Duration.ofSeconds(31));
        succeed(1);
        fail(1);
        assertThat(health.state()).isEqualTo(TargetHealth.State.HEALTHY);
        assertThat(health.snapshot().errorRate()).isEqualTo(0.5);
        assertThat(health.snapshot().requests()).isEqualTo(20);
    }

    @Test
    void neutral_outcomes_such_as_a_client_leaving_do_not_count() {
        for (int i = 0; i < 50; i++) {
            health.start();
            health.finish(TargetHealth.Outcome.NEUTRAL);
        }
        assertThat(health.state()).isEqualTo(TargetHealth.State.HEALTHY);
        assertThat(health.snapshot().requests()).isZero();
    }

    @Test
    void the_concurrency_cap_stops_selection_until_a_request_finishes() {
        health.start();
        health.start();
        assertThat(health.selectable()).isFalse();
        health.finish(TargetHealth.Outcome.SUCCESS);
        assertThat(health.selectable()).isTrue();
        assertThat(health.inFlight()).isEqualTo(1);
    }

    @Test
    void three_failed_probes_eject_and_a_good_probe_opens_the_half_open_trial_at_once() {
        health.probed(false, "status 503");
        health.probed(false, "status 503");
        assertThat(health.state()).isEqualTo(TargetHealth.State.HEALTHY);
        assertThat(health.probed(false, "status 503")).isTrue();
        assertThat(health.state()).isEqualTo(TargetHealth.State.EJECTED);

        health.probed(true, "ok");
        assertThat(health.state()).isEqualTo(TargetHealth.State.PROBING);
        assertThat(health.snapshot().lastProbe()).isEqualTo("ok");
    }

    @Test
    void probe_timeouts_while_requests_are_in_flight_do_not_eject_a_busy_target_but_do_when_it_is_idle() {
        health.start();
        for (int i = 0; i < 5; i++) {
            assertThat(health.probeTimedOut()).isFalse();
        }
        assertThat(health.state()).isEqualTo(TargetHealth.State.HEALTHY);
        assertThat(health.snapshot().lastProbe()).startsWith("timeout (busy");
        health.finish(TargetHealth.Outcome.SUCCESS);

        health.probeTimedOut();
        health.probeTimedOut();
        assertThat(health.probeTimedOut()).isTrue();
        assertThat(health.state()).isEqualTo(TargetHealth.State.EJECTED);
    }
}
