package ai.cortensor.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {
    final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T10:00:00Z"));
    final SignInThrottle throttle = new SignInThrottle(clock, SignInThrottle.Policy.DEFAULT);

    @Test
    void failures_from_one_address_never_make_the_account_wait_at_another() {
        for (int i = 0; i < 100; i++) {
            throttle.failed("alice@example.com", "198.51.100.1");
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(throttle.waitBefore("alice@example.com", "198.51.100.1")).isPositive();
        assertThat(throttle.waitBefore("Alice@Example.com", "203.0.113.5")).isZero();
    }

    @Test
    void five_failures_for_an_account_from_an_address_make_it_wait_until_the_oldest_is_15_minutes_old() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("bob@example.com", "198.51.100.2");
        }
        assertThat(throttle.waitBefore("bob@example.com", "198.51.100.2")).isZero();
        clock.advance(Duration.ofMinutes(5));
        throttle.failed("bob@example.com", "198.51.100.2");
        assertThat(throttle.waitBefore("bob@example.com", "198.51.100.2")).isEqualTo(Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(10));
        assertThat(throttle.waitBefore("bob@example.com", "198.51.100.2")).isZero();
    }

    @Test
    void a_success_clears_the_account_count_of_that_address_only() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("carol@example.com", "198.51.100.3");
        }
        throttle.succeeded("carol@example.com", "198.51.100.3");
        assertThat(throttle.waitBefore("carol@example.com", "198.51.100.3")).isZero();
    }

    @Test
    void guessing_from_one_address_waits_twice_as_long_after_each_failure_past_ten_up_to_15_minutes() {
        String addr = "198.51.100.4";
        for (int i = 0; i < 10; i++) {
            assertThat(throttle.waitBefore("user" + i + "@example.com", addr)).isZero();
            throttle.failed("user" + i + "@example.com", addr);
        }
        long[] expected = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900};
        for (int i = 0; i < expected.length; i++) {
            String account = "more" + i + "@example.com";
            Duration wait = throttle.waitBefore(account, addr);
            assertThat(wait).as("after %d failures", 10 + i).isEqualTo(Duration.ofSeconds(expected[i]));
            clock.advance(wait);
            assertThat(throttle.waitBefore(account, addr)).isZero();
            throttle.failed(account, addr);
            throttle.succeeded("attacker-own@example.com", addr); // their own account in between resets nothing
        }
        clock.advance(Duration.ofHours(24));
        assertThat(throttle.waitBefore("fresh@example.com", addr)).as("a day later").isZero();
    }

    @Test
    void ipv6_addresses_of_one_64_share_the_address_count() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("v6-" + i + "@example.com", "2001:db8:1:2::" + Integer.toHexString(i + 1));
        }
        assertThat(throttle.waitBefore("other@example.com", "2001:db8:1:2:ffff::9")).isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.waitBefore("other@example.com", "2001:db8:1:3::1")).isZero();
    }
}
