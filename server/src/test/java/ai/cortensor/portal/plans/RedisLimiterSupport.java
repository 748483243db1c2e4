package ai.cortensor.portal.plans;

/** Finding the test Redis, for tests outside this package. */
public final class RedisLimiterSupport {
    private RedisLimiterSupport() {}

    public static String redisUrl() {
        return RedisLimiterIT.redisUrl();
    }

    public static void assumeRedis() {
        RedisLimiterIT.assumeRedis();
    }
}
