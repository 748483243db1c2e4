package ai.cortensor.portal.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis with {@code limits.redis-failure=local}: the limiter contract still holds with this replica's own counters
 * kept beside Redis's, and a Redis outage neither starts this replica's count from zero nor is forgotten when Redis
 * returns (found by the chaos suite: an rpm-40 key got 80 requests across an outage).
 */
class RedisLocalFallbackIT extends LimiterContract {
    static RedisLimiter redis;

    @BeforeAll
    static void connect() {
        RedisLimiterIT.assumeRedis();
        redis = new RedisLimiter(RedisLimiterIT.redisUrl(), "test-" + UUID.randomUUID(), "local", new LocalLimiter(),
                new SimpleMeterRegistry());
    }

    @AfterAll
    static void close() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    Limiter limiter() {
        return redis;
    }

    @Test
    void an_outage_goes_on_from_this_replicas_own_count_and_what_it_admitted_still_counts_after() {
        String namespace = "test-" + UUID.randomUUID();
        LocalLimiter own = new LocalLimiter();
        List<Limit> rpm5 = List.of(limit(LimitKind.REQUESTS_PER_MINUTE, 5, Duration.ofMinutes(1)));
        RedisLimiter before = new RedisLimiter(RedisLimiterIT.redisUrl(), namespace, "local", own, new SimpleMeterRegistry());
        for (int i = 0; i < 2; i++) {
            assertThat(before.admit(rpm5, 0, T0 + i)).as("through Redis").isInstanceOf(Admission.Admitted.class);
        }
        before.close(); // Redis unreachable for this limiter from now on

        for (int i = 0; i < 3; i++) {
            assertThat(before.admit(rpm5, 0, T0 + 10 + i)).as("locally, from 2").isInstanceOf(Admission.Admitted.class);
        }
        assertThat(before.admit(rpm5, 0, T0 + 20)).as("the sixth in the minute").isInstanceOf(Admission.Rejected.class);

        // Redis is back (it counted 2): the three admitted during the outage still count on this replica
        try (RedisLimiter after = new RedisLimiter(RedisLimiterIT.redisUrl(), namespace, "local", own,
                new SimpleMeterRegistry())) {
            assertThat(after.admit(rpm5, 0, T0 + 30)).isInstanceOf(Admission.Rejected.class);
        }
    }

    @Test
    void a_request_redis_refuses_takes_nothing_from_this_replicas_counters() {
        String namespace = "test-" + UUID.randomUUID();
        List<Limit> rpm2 = List.of(limit(LimitKind.REQUESTS_PER_MINUTE, 2, Duration.ofMinutes(1)));
        LocalLimiter mine = new LocalLimiter();
        try (RedisLimiter other = new RedisLimiter(RedisLimiterIT.redisUrl(), namespace, "local", new LocalLimiter(),
                new SimpleMeterRegistry());
             RedisLimiter me = new RedisLimiter(RedisLimiterIT.redisUrl(), namespace, "local", mine,
                     new SimpleMeterRegistry())) {
            assertThat(other.admit(rpm2, 0, T0)).isInstanceOf(Admission.Admitted.class);
            assertThat(other.admit(rpm2, 0, T0)).isInstanceOf(Admission.Admitted.class);
            for (int i = 0; i < 3; i++) {
                assertThat(me.admit(rpm2, 0, T0)).as("the other replica used the shared limit up")
                        .isInstanceOf(Admission.Rejected.class);
            }
        }
        assertThat(mine.peek(rpm2, T0)).extracting(Limiter.State::used).as("nothing kept for refused requests")
                .containsExactly(0L);
    }
}
