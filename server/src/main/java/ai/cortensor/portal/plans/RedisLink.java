package ai.cortensor.portal.plans;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection to the limits' Redis, and whether Redis answers now. A check every second (a PING, or a
 * connect while there is no connection yet) keeps {@link #up} true to the moment even without traffic, and lets the
 * gateway start while Redis is down: until the first connect every command fails at once and the failure policy
 * decides. Commands report their outcome too, so a failure shows at the next request rather than the next check.
 * Transitions are logged once each.
 */
final class RedisLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    /** Generous: only a failing Redis ever waits this long. */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final String failurePolicy;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService checker;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean up = true; // until a check or command says otherwise

    RedisLink(String url, String failurePolicy) {
        this.failurePolicy = failurePolicy;
        // reconnects back off to 2 s at most (Lettuce's default is 30 s): Redis is counted again soon after it is back
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, url);
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build()).build());
        check();
        this.checker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("redis-limits-check").daemon(true).factory());
        checker.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    /** The connection; fails at once while Redis has not been reached since start. */
    StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            throw new RedisConnectionException("not connected to Redis yet");
        }
        return c;
    }

    boolean up() {
        return up;
    }

    void succeeded() {
        if (!up) {
            up = true;
            log.info("Redis limit counters reachable again");
        }
    }

    void failed(Throwable e) {
        if (up) {
            up = false;
            log.warn("Redis limit counters unreachable ({}); limits.redis-failure={}", e.toString(), failurePolicy);
        }
    }

    private void check() {
        try {
            if (connection == null) {
                StatefulRedisConnection<String, String> c = client.connect();
                c.setTimeout(TIMEOUT);
                connection = c;
            }
            connection.sync().ping();
            succeeded();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void close() {
        if (checker != null) {
            checker.shutdownNow();
        }
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown();
        resources.shutdown();
    }
}
