package ai.cortensor.portal.usage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Traffic for the operator dashboard (issue 14), from the request log: requests, their outcomes, latency p50/p99 and
 * tokens over a recent window, in equal time buckets, overall, per model and per pool. One range scan of the window
 * (index {@code request_logs_time}) with {@code GROUPING SETS}, so every percentile is computed from its own rows
 * (percentiles of buckets cannot be combined afterwards). Measured (bench/operator-scale.sh, time-ordered rows as
 * the product writes them): ~170 ms for a day of 33,000 requests on a busy 2-CPU machine, so about 1.5 s at 10^7
 * requests a month; hence the short reuse of an answer.
 *
 * <p>Definitions: a request is a request-log row accepted in the window. {@code blocked} requests were refused before
 * any router work (limits, keys, bad input) and are not service errors; the error rate is
 * {@code failed / (requests - blocked)}. Latency is end-to-end {@code latency_ms} of completed requests. Tokens are
 * the metered prompt + completion tokens of served requests (the usage events' figures).
 */
public final class TrafficReport {
    /** At most this stale: a dashboard left open, or several operators, do not each re-read a day of rows. */
    static final Duration MAX_AGE = Duration.ofSeconds(30);

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final com.github.benmanes.caffeine.cache.Cache<List<Duration>, Traffic> recent;

    public TrafficReport(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.recent = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(8)
                .ticker(() -> clock.millis() * 1_000_000L)
                .expireAfter(new com.github.benmanes.caffeine.cache.Expiry<List<Duration>, Traffic>() {
                    @Override
                    public long expireAfterCreate(List<Duration> key, Traffic value, long now) {
                        return maxAge(key.get(1)).toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(List<Duration> key, Traffic value, long now, long current) {
                        return maxAge(key.get(1)).toNanos();
                    }

                    @Override
                    public long expireAfterRead(List<Duration> key, Traffic value, long now, long current) {
                        return current;
                    }
                }).build();
    }

    /** A twelfth of a bucket (5 s for 1-minute buckets), at most {@link #MAX_AGE}. */
    static Duration maxAge(Duration bucket) {
        Duration d = bucket.dividedBy(12);
        return d.compareTo(MAX_AGE) > 0 ? MAX_AGE : d;
    }

    /** Counts and latency of one group of requests. {@code p50Ms}/{@code p99Ms} are null without completed requests. */
    public record Stats(long requests, long completed, long failed, long cancelled, long blocked, long tokens,
                        Integer p50Ms, Integer p99Ms) {
        static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0, null, null);

        /** Failed among the requests that were not blocked; null when there were none. */
        public Double errorRate() {
            long tried = requests - blocked;
            return tried == 0 ? null : (double) failed / tried;
        }
    }

    /** One model's or pool's traffic: the window's totals and one {@link Stats} per bucket, oldest first. */
    public record Series(String name, Stats totals, List<Stats> buckets) {}

    /**
     * The window [{@code from}, {@code to}) cut into {@code buckets.size()} buckets of {@code bucket} (the last one is
     * still filling: {@code to} is the end of the current bucket), overall and per model and pool (busiest first).
     */
    public record Traffic(Instant from, Instant to, Duration bucket, List<Instant> bucketStarts, Stats totals,
                          List<Stats> overall, List<Series> models, List<Series> pools) {}

    /**
     * The last {@code window} up to now, in buckets of {@code bucket} ({@code window} a multiple of it); an answer is
     * reused for a twelfth of a bucket (at most 30 s), so reading the report again costs nothing meanwhile.
     */
    public Traffic last(Duration window, Duration bucket) {
        return recent.get(List.of(window, bucket), k -> compute(window, bucket));
    }

    private Traffic compute(Duration window, Duration bucket) {
        long bucketMs = bucket.toMillis();
        int n = (int) (window.toMillis() / bucketMs);
        Instant to = Instant.ofEpochMilli((clock.millis() / bucketMs + 1) * bucketMs);
        Instant from = to.minus(window);
        List<Instant> starts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            starts.add(from.plusMillis(i * bucketMs));
        }
        Grid overall = new Grid("", n);
        Map<String, Grid> models = new LinkedHashMap<>();
        Map<String, Grid> pools = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("""
                SELECT b, model, pool, GROUPING(b, model, pool) AS g,
                       count(*) AS requests,
                       count(*) FILTER (WHERE status = 'completed') AS completed,
                       count(*) FILTER (WHERE status = 'failed') AS failed,
                       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                       count(*) FILTER (WHERE status = 'blocked') AS blocked,
                       coalesce(sum(coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0))
                                FILTER (WHERE usage_recorded), 0) AS tokens,
                       percentile_disc(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY latency_ms)
                                FILTER (WHERE status = 'completed') AS pcts
                FROM (SELECT floor(date_part('epoch', accepted_at - :from) * 1000 / :bucket)::int AS b,
                             coalesce(model_alias, '(none)') AS model, pool, status, latency_ms, prompt_tokens,
                             completion_tokens, usage_recorded
                      FROM request_logs WHERE accepted_at >= :from AND accepted_at < :to) r
                GROUP BY GROUPING SETS ((b, model), (b, pool), (b), (model), (pool), ())""")
                .bind("from", Timestamp.from(from)).bind("to", Timestamp.from(to)).bind("bucket", bucketMs)
                .map((rs, ctx) -> {
                    int g = rs.getInt("g"); // bit set: 4 = not by bucket, 2 = not by model, 1 = not by pool
                    Stats s = stats(rs);
                    int b = rs.getInt("b");
                    String pool = rs.getString("pool");
                    switch (g) {
                        case 1 -> models.computeIfAbsent(rs.getString("model"), m -> new Grid(m, n)).at(b, s);
                        case 2 -> { if (pool != null) pools.computeIfAbsent(pool, p -> new Grid(p, n)).at(b, s); }
                        case 3 -> overall.at(b, s);
                        case 5 -> models.computeIfAbsent(rs.getString("model"), m -> new Grid(m, n)).totals = s;
                        case 6 -> { if (pool != null) pools.computeIfAbsent(pool, p -> new Grid(p, n)).totals = s; }
                        case 7 -> overall.totals = s;
                        default -> { }
                    }
                    return g;
                }).list());
        return new Traffic(from, to, bucket, starts, overall.totals, overall.series().buckets(), busiestFirst(models),
                busiestFirst(pools));
    }

    private static List<Series> busiestFirst(Map<String, Grid> grids) {
        return grids.values().stream().map(Grid::series)
                .sorted(Comparator.comparingLong((Series s) -> -s.totals().requests()).thenComparing(Series::name))
                .toList();
    }

    private static Stats stats(ResultSet rs) throws SQLException {
        java.sql.Array a = rs.getArray("pcts"); // one sort gives both percentiles
        Integer[] p = a == null ? new Integer[] {null, null} : (Integer[]) a.getArray();
        return new Stats(rs.getLong("requests"), rs.getLong("completed"), rs.getLong("failed"), rs.getLong("cancelled"),
                rs.getLong("blocked"), rs.getLong("tokens"), p[0], p[1]);
    }

    /** One series being filled from the query's rows. */
    private static final class Grid {
        final String name;
        final Stats[] buckets;
        Stats totals = Stats.NONE;

        Grid(String name, int n) {
            this.name = name;
            this.buckets = new Stats[n];
        }

        void at(int bucket, Stats s) {
            if (bucket >= 0 && bucket < buckets.length) {
                buckets[bucket] = s;
            }
        }

        Series series() {
            List<Stats> out = new ArrayList<>(buckets.length);
            for (Stats s : buckets) {
                out.add(s == null ? Stats.NONE : s);
            }
            return new Series(name, totals, out);
        }
    }
}
