package ai.cortensor.portal.pools;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-flight requests per pool across every replica. Each replica reports its own counts to {@code pool_load}
 * ({@link #report()}, every second); {@link #others()} sums what the other replicas reported recently, so a drain
 * can be watched to zero from any replica. A replica that stops deletes its rows; one that dies stops counting once
 * its last report is older than {@link #FRESH}.
 */
public final class PoolLoad {
    private static final Logger log = LoggerFactory.getLogger(PoolLoad.class);
    static final Duration FRESH = Duration.ofSeconds(5);

    private final Jdbi jdbi;
    private final Catalog catalog;
    private final String replicaId = UUID.randomUUID().toString();
    private Map<String, Integer> lastReported = Map.of();
    private long lastReportMillis;

    public PoolLoad(Jdbi jdbi, Catalog catalog) {
        this.jdbi = jdbi;
        this.catalog = catalog;
    }

    /** Writes this replica's counts when they changed, and at least every second second as a heartbeat. */
    public synchronized void report() {
        Map<String, Integer> now = new HashMap<>();
        catalog.pools().forEach(p -> now.put(p.name(), p.inFlight()));
        long t = System.currentTimeMillis();
        if (now.equals(lastReported) && t - lastReportMillis < 2_000) {
            return;
        }
        try {
            jdbi.useTransaction(h -> {
                var batch = h.prepareBatch("""
                        INSERT INTO pool_load (replica_id, pool, in_flight, reported_at) VALUES (:r, :p, :n, now())
                        ON CONFLICT (replica_id, pool) DO UPDATE SET in_flight = :n, reported_at = now()""");
                now.forEach((pool, n) -> batch.bind("r", replicaId).bind("p", pool).bind("n", n).add());
                if (!now.isEmpty()) {
                    batch.execute();
                }
            });
            lastReported = now;
            lastReportMillis = t;
        } catch (RuntimeException e) {
            log.debug("pool load report failed: {}", e.toString());
        }
    }

    /** In-flight requests per pool on the other replicas, from reports fresher than {@link #FRESH}. */
    public Map<String, Integer> others() {
        try {
            Map<String, Integer> out = new HashMap<>();
            jdbi.useHandle(h -> h.createQuery("""
                            SELECT pool, sum(in_flight) AS n FROM pool_load
                            WHERE replica_id <> :r AND reported_at > now() - make_interval(secs => :fresh)
                            GROUP BY pool""")
                    .bind("r", replicaId).bind("fresh", FRESH.toSeconds())
                    .map((rs, ctx) -> Map.entry(rs.getString("pool"), rs.getInt("n")))
                    .forEach(e -> out.put(e.getKey(), e.getValue())));
            return out;
        } catch (RuntimeException e) {
            log.debug("pool load read failed: {}", e.toString());
            return Map.of();
        }
    }

    /** Removes this replica's rows (on a clean stop). */
    public void forget() {
        try {
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM pool_load WHERE replica_id = :r").bind("r", replicaId)
                    .execute());
        } catch (RuntimeException e) {
            log.debug("pool load cleanup failed: {}", e.toString());
        }
    }
}
