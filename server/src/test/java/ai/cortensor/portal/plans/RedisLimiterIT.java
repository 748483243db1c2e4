package ai.cortensor.portal.plans;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The same contract against a real Redis: {@code TEST_REDIS_URL}, else redis://127.0.0.1:6379. Skipped with a
 * message when no Redis answers (a fresh machine); under {@code CI=true} a missing Redis fails.
 */
class RedisLimiterIT extends LimiterContract {
    static RedisLimiter redis;

    static String redisUrl() {
        return System.getenv().getOrDefault("TEST_REDIS_URL", "redis://127.0.0.1:6379");
    }

    static void assumeRedis() {
        java.net.URI uri = java.net.URI.create(redisUrl());
        try (Socket s = new Socket(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort())) {
            // reachable
        } catch (Exception e) {
            String msg = "no Redis at " + redisUrl() + "; Redis limiter tests skipped";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(msg + " — but CI=true requires them");
            }
            Assumptions.abort(msg);
        }
    }

    @BeforeAll
    static void connect() {
        assumeRedis();
        redis = new RedisLimiter(redisUrl(), "test-" + java.util.UUID.randomUUID(), "closed", new LocalLimiter(), new SimpleMeterRegistry());
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
}
