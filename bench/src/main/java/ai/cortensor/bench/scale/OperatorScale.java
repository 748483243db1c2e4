package ai.cortensor.bench.scale;

import ai.cortensor.portal.Portal;
import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.db.Database;
import ai.cortensor.portal.db.EmbeddedDatabase;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Operator lookups at scale (issue 6), driven by {@code bench/operator-scale.sh}: generates (or reuses) a database
 * with 10^6 keys and 10^7 request-log rows, starts the real Portal on it (so the migrations apply, V11 included),
 * times every lookup through {@code Operations}, and runs {@code EXPLAIN (ANALYZE, BUFFERS)} on the slowest.
 *
 * <pre>
 *   --rows N          request-log rows (default 10000000; keys N/10, users min(keys/5, 200000), orgs users/10)
 *   --iterations N    samples per lookup (default 200)
 *   --budget S        seconds per lookup at most (default 30)
 *   --regenerate      generate even when the marker says the data is there
 *   --label TEXT      name of this run in the results (e.g. before, after)
 *   --only PREFIXES   only the lookups whose name starts with one of these comma-separated prefixes
 *   --write           write the results between the markers in docs/benchmarks.md
 * </pre>
 * Database: {@code PORTAL_BENCH_DATABASE_URL} (created when missing), else the product's embedded PostgreSQL in
 * {@code PORTAL_BENCH_DATA_DIR} (default {@code bench/target/operator-scale}), kept between runs.
 */
public final class OperatorScale {
    static final double TARGET_MS = 50;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("rows", "10000000", "iterations", "200", "budget", "30",
                "label", "run"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--regenerate", "--write" -> opt.put(a.substring(2), "true");
                case "--rows", "--iterations", "--budget", "--label", "--only" -> opt.put(a.substring(2), args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        long rows = Long.parseLong(opt.get("rows").replace("_", ""));
        ScaleData.Sizes sizes = ScaleData.Sizes.forRequests(rows);
        String url = System.getenv("PORTAL_BENCH_DATABASE_URL");
        Path dataDir = Path.of(System.getenv().getOrDefault("PORTAL_BENCH_DATA_DIR", "bench/target/operator-scale"));
        EmbeddedDatabase embedded = null;
        String dbMode;
        if (url != null && !url.isBlank()) {
            ensureDatabase(url);
            dbMode = "PostgreSQL at " + url.replaceAll("\\?.*", "");
        } else {
            // the product's embedded PostgreSQL (same settings as `portal serve` without database.url), kept between runs
            embedded = EmbeddedDatabase.start(dataDir.resolve("pg"), 0);
            url = embedded.jdbcUrl();
            dbMode = "the product's embedded PostgreSQL (data in " + dataDir.resolve("pg") + ")";
        }
        log("database: " + dbMode);
        Portal portal = null;
        try (HikariDataSource ds = dataSource(url)) {
            ScaleData data = new ScaleData(ds, OperatorScale::log);
            ScaleData.Sizes existing = data.existing();
            boolean generate = Boolean.parseBoolean(opt.getOrDefault("regenerate", "false")) || !sizes.equals(existing);
            long t0 = System.nanoTime();
            if (generate) {
                data.resetSchema(); // a clean schema, so the indexes are exactly the migrations' even after a failed run
            }
            Database.migrate(ds);
            double migrateSeconds = (System.nanoTime() - t0) / 1e9;
            log(String.format(Locale.ROOT, "migrations applied in %.1f s", migrateSeconds));
            String generation;
            if (generate) {
                if (embedded != null) {
                    tuneEmbedded(ds);
                }
                data.generate(sizes);
                generation = "generated in this run: " + timings(data.seconds);
            } else {
                generation = "reused (generated earlier: " + data.recordedTimings() + ")";
                log("data: " + generation);
            }
            portal = Portal.start(ConfigLoader.fromMap(Map.of("http.port", "0", "management.port", "0", "data.dir", dataDir.toString(),
                    "database.url", url, "health.probe-interval", "PT1H")), InstantSource.system());
            double startSeconds = migrateSeconds;
            StatementCapture capture = new StatementCapture();
            portal.database().jdbi().setSqlLogger(capture);
            Lookups lookups = new Lookups(portal.operations(), ds, capture, sizes,
                    Integer.parseInt(opt.get("iterations")), Duration.ofSeconds(Long.parseLong(opt.get("budget"))),
                    OperatorScale::log);
            lookups.only = opt.get("only");
            lookups.runAll();
            portal.database().jdbi().setSqlLogger(new org.jdbi.v3.core.statement.SqlLogger() {});
            String report = report(opt.get("label"), sizes, dbMode, generation, startSeconds, ds, lookups.results);
            String explains = explain(ds, lookups.results);
            Path out = Path.of("bench/target/operator-scale-results");
            Files.createDirectories(out);
            Files.writeString(out.resolve(opt.get("label") + ".md"), report);
            Files.writeString(out.resolve(opt.get("label") + "-explain.txt"), explains);
            System.out.println(report);
            log("EXPLAIN (ANALYZE, BUFFERS) of the slowest lookups: " + out.resolve(opt.get("label") + "-explain.txt"));
            if (Boolean.parseBoolean(opt.getOrDefault("write", "false"))) {
                writeDoc(report);
            }
        } finally {
            if (portal != null) {
                portal.close();
            }
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static HikariDataSource dataSource(String url) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(4);
        hc.setPoolName("operator-scale");
        return new HikariDataSource(hc);
    }

    private static String report(String label, ScaleData.Sizes z, String dbMode, String generation,
                                 double startSeconds, DataSource ds, List<Lookups.Result> results) throws SQLException {
        StringBuilder b = new StringBuilder();
        b.append("### Operator lookups at scale: ").append(label).append(", ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append(" UTC\n\n");
        String pg;
        String sizesOnDisk;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT split_part(version(), ' ', 2), pg_size_pretty(pg_database_size(current_database())), "
                    + "pg_size_pretty(pg_total_relation_size('request_logs')), pg_size_pretty(pg_indexes_size('request_logs')), "
                    + "current_setting('shared_buffers')");
            rs.next();
            pg = "PostgreSQL " + rs.getString(1) + " (shared_buffers " + rs.getString(5) + ")";
            sizesOnDisk = "database " + rs.getString(2) + ", request_logs " + rs.getString(3) + " of which indexes "
                    + rs.getString(4);
        }
        b.append(String.format(Locale.ROOT, "Machine: %d CPUs (%s), %s; %s; %s; commit %s.%n%n",
                Runtime.getRuntime().availableProcessors(), cpu(), mem(), pg, dbMode,
                System.getenv().getOrDefault("BENCH_COMMIT", "unknown")));
        b.append(String.format(Locale.ROOT, "Data: %,d users, %,d organizations, %,d API keys, %,d request-log rows over 30 days "
                        + "(one usage event per completed request, ~85%%), %,d audit events; %s. Data %s. "
                        + "Flyway migrations on this data %.1f s.%n%n", z.users(), z.orgs(), z.keys(), z.requests(), z.audit(), sizesOnDisk,
                generation, startSeconds));
        b.append("| lookup | n | p50 | p95 | p99 | max | ≤ 50 ms at p99 |\n|---|---:|---:|---:|---:|---:|---|\n");
        for (Lookups.Result r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %s |%n", r.name(),
                    r.nanos().length, r.pct(50), r.pct(95), r.pct(99), r.max(), r.pct(99) <= TARGET_MS ? "met" : "**missed**"));
        }
        long missed = results.stream().filter(r -> r.pct(99) > TARGET_MS).count();
        b.append(String.format(Locale.ROOT, "%n%d of %d lookups meet the 50 ms target at p99.%n", results.size() - missed,
                results.size()));
        return b.toString();
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of the slowest sample, for the five slowest lookups. */
    private static String explain(DataSource ds, List<Lookups.Result> results) throws SQLException {
        StringBuilder b = new StringBuilder();
        List<Lookups.Result> slowest = results.stream().sorted(Comparator.comparingDouble((Lookups.Result r) -> r.pct(99)).reversed())
                .limit(6).toList();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (Lookups.Result r : slowest) {
                var st = r.slowestStatements().stream().max(Comparator.comparingLong(StatementCapture.Executed::nanos));
                if (st.isEmpty()) {
                    continue;
                }
                b.append(String.format(Locale.ROOT, "=== %s (p99 %.2f ms; slowest statement %.2f ms)%n%s%n---%n", r.name(),
                        r.pct(99), st.get().nanos() / 1e6, st.get().sql()));
                try {
                    ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + st.get().sql());
                    while (rs.next()) {
                        b.append(rs.getString(1)).append('\n');
                    }
                } catch (SQLException e) {
                    b.append("(cannot explain: ").append(e.getMessage()).append(")\n");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static void writeDoc(String report) throws Exception {
        Path doc = Path.of("docs/benchmarks.md");
        String s = Files.readString(doc);
        String begin = "<!-- bench:operator-scale:begin (written by bench/operator-scale.sh --write) -->";
        String end = "<!-- bench:operator-scale:end -->";
        int i = s.indexOf(begin);
        int j = s.indexOf(end);
        if (i < 0 || j < i) {
            throw new IllegalStateException("docs/benchmarks.md has no operator-scale markers");
        }
        Files.writeString(doc, s.substring(0, i + begin.length()) + "\n\n" + report + "\n" + s.substring(j));
        log("results written to " + doc);
    }

    /** Creates the database of {@code url} when the server says it does not exist (the ledger benchmark too). */
    public static void ensureDatabase(String url) throws SQLException {
        try (Connection ignored = DriverManager.getConnection(url)) {
            return;
        } catch (SQLException e) {
            if (!"3D000".equals(e.getSQLState())) {
                throw e;
            }
        }
        String name = url.replaceAll("^jdbc:postgresql://[^/]+/([^?]+).*$", "$1");
        String admin = url.replaceFirst("/" + name, "/postgres");
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name + "\"");
        }
        log("created database " + name);
    }

    /** The embedded server is this benchmark's own: fewer checkpoints while loading. */
    private static void tuneEmbedded(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET max_wal_size = '8GB'");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    private static String timings(Map<String, Double> seconds) {
        StringBuilder b = new StringBuilder();
        seconds.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%.0f s", v)));
        return b.toString();
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.replaceAll(".*:\\s*", "")).orElse("?");
        } catch (Exception e) {
            return "?";
        }
    }

    private static String mem() {
        try {
            long kb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(0L);
            return Math.round(kb / 1048576.0) + " GiB RAM";
        } catch (Exception e) {
            return "? RAM";
        }
    }

    static void log(String s) {
        System.err.printf("[operator-scale %s] %s%n", java.time.LocalTime.now().withNano(0), s);
    }
}
