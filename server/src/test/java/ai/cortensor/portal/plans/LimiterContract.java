package ai.cortensor.portal.plans;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every limiter must do; run against the in-process and the Redis implementation. Time is passed in. */
abstract class LimiterContract {
    static final long T0 = 1_800_000_000_000L; // a fixed "now", moved by hand

    abstract Limiter limiter();

    final String account = "u" + UUID.randomUUID().toString().substring(0, 8);

    Limit limit(LimitKind kind, long max, Duration window) {
        return new Limit(Limit.Scope.ACCOUNT, account, kind, max, window);
    }

    @Test
    void admits_exactly_the_limit_then_rejects_with_the_limit_and_a_retry_after() {
        List<Limit> limits = List.of(limit(LimitKind.REQUESTS_PER_MINUTE, 3, Duration.ofMinutes(1)));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter().admit(limits, 10, T0 + i * 1000)).isInstanceOf(Admission.Admitted.class);
        }
        Admission a = limiter().admit(limits, 10, T0 + 3000);
        assertThat(a).isInstanceOfSatisfying(Admission.Rejected.class, r -> {
            assertThat(r.limit().kind()).isEqualTo(LimitKind.REQUESTS_PER_MINUTE);
            assertThat(r.used()).isEqualTo(3);
            // the first request's bucket leaves the window 60 s after it was counted
            assertThat(r.retryAfter()).isBetween(Duration.ofSeconds(56), Duration.ofSeconds(58));
            assertThat(r.requests().remaining()).isZero();
        });
    }

    @Test
    void the_window_slides_so_usage_frees_up_a_minute_later() {
        List<Limit> limits = List.of(limit(LimitKind.REQUESTS_PER_MINUTE, 2, Duration.ofMinutes(1)));
        limiter().admit(limits, 0, T0);
        limiter().admit(limits, 0, T0 + 30_000);
        assertThat(limiter().admit(limits, 0, T0 + 59_000)).isInstanceOf(Admission.Rejected.class);
        assertThat(limiter().admit(limits, 0, T0 + 60_000)).isInstanceOf(Admission.Admitted.class);
        assertThat(limiter().admit(limits, 0, T0 + 61_000)).isInstanceOf(Admission.Rejected.class);
        assertThat(limiter().admit(limits, 0, T0 + 90_000)).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void a_request_stamped_slightly_earlier_still_counts_what_later_ones_took() {
        // replicas stamp requests with their own clock before calling the limiter; a late arrival must still see
        // what requests stamped a second later already took, or two replicas together admit over the limit
        List<Limit> limits = List.of(limit(LimitKind.REQUESTS_PER_MINUTE, 2, Duration.ofMinutes(1)));
        assertThat(limiter().admit(limits, 0, T0 + 1_500)).isInstanceOf(Admission.Admitted.class);
        assertThat(limiter().admit(limits, 0, T0 + 1_600)).isInstanceOf(Admission.Admitted.class);
        assertThat(limiter().admit(limits, 0, T0 + 200)).isInstanceOf(Admission.Rejected.class);
    }

    @Test
    void a_rejection_by_one_limit_takes_from_none() {
        Limit rpm = limit(LimitKind.REQUESTS_PER_MINUTE, 100, Duration.ofMinutes(1));
        Limit tpm = limit(LimitKind.TOKENS_PER_MINUTE, 1000, Duration.ofMinutes(1));
        List<Limit> limits = List.of(rpm, tpm);
        assertThat(limiter().admit(limits, 800, T0)).isInstanceOf(Admission.Admitted.class);
        assertThat(limiter().admit(limits, 300, T0)).isInstanceOfSatisfying(Admission.Rejected.class,
                r -> assertThat(r.limit()).isEqualTo(tpm));
        assertThat(limiter().peek(limits, T0)).extracting(Limiter.State::used).containsExactly(1L, 800L);
    }

    @Test
    void settlement_replaces_the_token_estimate_with_actual_usage_once() {
        Limit tpm = limit(LimitKind.TOKENS_PER_MINUTE, 1000, Duration.ofMinutes(1));
        var admitted = (Admission.Admitted) limiter().admit(List.of(tpm), 900, T0);
        assertThat(limiter().admit(List.of(tpm), 200, T0)).isInstanceOf(Admission.Rejected.class);

        assertThat(admitted.reservation().settle(150)).isTrue();
        assertThat(admitted.reservation().settle(0)).as("settles exactly once").isFalse();
        awaitUsed(tpm, 150);
        assertThat(limiter().admit(List.of(tpm), 200, T0)).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void a_concurrency_slot_is_released_by_settlement() {
        Limit conc = limit(LimitKind.CONCURRENT_REQUESTS, 2, Duration.ZERO);
        var first = (Admission.Admitted) limiter().admit(List.of(conc), 0, T0);
        limiter().admit(List.of(conc), 0, T0);
        assertThat(limiter().admit(List.of(conc), 0, T0)).isInstanceOf(Admission.Rejected.class);
        first.reservation().settle(0);
        awaitUsed(conc, 1);
        assertThat(limiter().admit(List.of(conc), 0, T0)).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void a_weekly_allowance_rolls_over_after_seven_days() {
        Limit weekly = limit(LimitKind.WEEKLY_TOKENS, 1000, Duration.ofDays(7));
        assertThat(limiter().admit(List.of(weekly), 1000, T0)).isInstanceOf(Admission.Admitted.class);
        Admission blocked = limiter().admit(List.of(weekly), 1, T0 + Duration.ofDays(3).toMillis());
        assertThat(blocked).isInstanceOfSatisfying(Admission.Rejected.class, r ->
                assertThat(r.retryAfter()).isBetween(Duration.ofDays(4).minusHours(3), Duration.ofDays(4)));
        assertThat(limiter().admit(List.of(weekly), 1, T0 + Duration.ofDays(7).toMillis()))
                .isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void two_hundred_concurrent_requests_against_fifty_per_minute_admit_exactly_fifty() throws Exception {
        List<Limit> limits = List.of(limit(LimitKind.REQUESTS_PER_MINUTE, 50, Duration.ofMinutes(1)),
                limit(LimitKind.TOKENS_PER_MINUTE, 1_000_000, Duration.ofMinutes(1)));
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                all.add(pool.submit(() -> {
                    go.await();
                    if (limiter().admit(limits, 100, T0) instanceof Admission.Admitted) {
                        admitted.incrementAndGet();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(admitted.get()).isEqualTo(50);
    }

    /** Settlement may be asynchronous (Redis): wait briefly for it to land. */
    void awaitUsed(Limit l, long expected) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                limiter().peek(List.of(l), T0).get(0).used() == expected);
    }
}
