package ai.cortensor.portal.changes;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every replica that shared state changed, so in-memory caches (keys, accounts, plans, the catalog) follow
 * an operator's action on the next request instead of after a cache TTL. A change is published with PostgreSQL
 * {@code NOTIFY} on one channel as {@code topic:id}; each replica holds one {@code LISTEN} connection and hands
 * each change to the subscribers of its topic. A replica that loses its connection cannot know what it missed,
 * so on every connect (the first one too: changes before it were not heard either) the resync handlers run (drop
 * caches, reload). Periodic cache refreshes stay as the backstop for a change whose publish failed.
 */
public final class ChangeFeed implements ChangePublisher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    public static final String CHANNEL = "portal_changes";
    private static final long LIVENESS_CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * Topics and their ids: {@code key:<public id>}, {@code account:u<user id>|o<organization id>} (state such as
     * paused: every cached key of the account and its plan are dropped), {@code plan:u<id>|o<id>} (plan change, same
     * ids as {@code AccountRef.id()}; {@code plan:*} when a plan's own limits or entitlements change),
     * {@code catalog:<pool, model or target>} (any catalog change: the whole catalog reloads),
     * {@code budget:account:u<id>|o<id>} or {@code budget:key:<key id>} (a spend budget set or removed).
     */
    public static final String KEY = "key";
    public static final String ACCOUNT = "account";
    public static final String PLAN = "plan";
    public static final String CATALOG = "catalog";
    public static final String BUDGET = "budget";

    private final ConnectionSource connections;
    private final Jdbi jdbi;
    private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();
    private final List<Runnable> resyncs = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile boolean connected;
    private final CountDownLatch firstConnect = new CountDownLatch(1);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong resynced = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private volatile Connection connection;
    private Thread thread;

    /** Opens the listener's own connection (not a pooled one: it is held open and closed on shutdown). */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    public ChangeFeed(ConnectionSource connections, Jdbi jdbi) {
        this.connections = connections;
        this.jdbi = jdbi;
    }

    /**
     * Publishes a change to every replica (this one included); call it once the change is committed. The change
     * itself already happened, so a failure here is logged and counted, not thrown: the other replicas then
     * follow at their next cache refresh (the backstop) or at their next resync.
     */
    @Override
    public void publish(String topic, String id) {
        try {
            jdbi.useHandle(h -> h.createQuery("SELECT pg_notify(:c, :p)").bind("c", CHANNEL)
                    .bind("p", topic + ":" + (id == null ? "" : id)).mapTo(String.class).one());
        } catch (RuntimeException e) {
            publishFailures.incrementAndGet();
            log.warn("could not publish change {}:{} ({}); other replicas follow at their next cache refresh",
                    topic, id, e.toString());
        }
    }

    /**
     * Publishes from inside the transaction that makes the change: PostgreSQL delivers the notice when, and only
     * if, that transaction commits — no window in which the change is committed but not announced.
     */
    public static void publishOnCommit(Handle h, String topic, String id) {
        h.createQuery("SELECT pg_notify(:c, :p)").bind("c", CHANNEL).bind("p", topic + ":" + (id == null ? "" : id))
                .mapTo(String.class).one();
    }

    public void subscribe(String topic, Consumer<String> onChange) {
        subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(onChange);
    }

    /** Runs after every (re)connect of the listener, when changes may have been missed. */
    public void onResync(Runnable resync) {
        resyncs.add(resync);
    }

    public boolean connected() {
        return connected;
    }

    /** Waits until the listener has connected once; false when it did not within {@code timeout}. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return firstConnect.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Notifications received since start. */
    public long received() {
        return received.get();
    }

    /** Resyncs run since start (one per connect). */
    public long resyncs() {
        return resynced.get();
    }

    /** Publishes that failed since start. */
    public long publishFailures() {
        return publishFailures.get();
    }

    public ChangeFeed start() {
        thread = Thread.ofPlatform().name("change-feed").daemon(true).start(this::listen);
        return this;
    }

    private void listen() {
        Duration backoff = Duration.ofMillis(100);
        boolean first = true;
        while (running) {
            connected = false;
            try (Connection c = connections.open()) {
                connection = c;
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                connected = true;
                if (!first) {
                    log.info("change feed reconnected; resynchronizing caches");
                }
                resynced.incrementAndGet();
                resyncs.forEach(ChangeFeed::runQuietly);
                firstConnect.countDown();
                first = false;
                backoff = Duration.ofMillis(100);
                long lastCheck = System.nanoTime();
                while (running) {
                    PGNotification[] batch = pg.getNotifications(1_000);
                    if (batch != null) {
                        for (PGNotification n : batch) {
                            dispatch(n.getParameter());
                        }
                    }
                    if (System.nanoTime() - lastCheck > LIVENESS_CHECK_NANOS) {
                        // a silently dropped connection raises nothing while we only wait for notifications
                        try (Statement s = c.createStatement()) {
                            s.execute("SELECT 1");
                        }
                        lastCheck = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                connected = false;
                if (!running) {
                    return;
                }
                first = false;
                log.warn("change feed lost its database connection ({}); retrying in {} ms", e.toString(),
                        backoff.toMillis());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
            }
        }
    }

    void dispatch(String payload) {
        received.incrementAndGet();
        int colon = payload.indexOf(':');
        String topic = colon < 0 ? payload : payload.substring(0, colon);
        String id = colon < 0 ? "" : payload.substring(colon + 1);
        for (Consumer<String> s : subscribers.getOrDefault(topic, List.of())) {
            try {
                s.accept(id);
            } catch (RuntimeException e) {
                log.warn("change handler for {} failed: {}", topic, e.toString());
            }
        }
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("resync failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
        if (thread != null) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
