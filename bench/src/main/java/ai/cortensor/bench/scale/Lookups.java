package ai.cortensor.bench.scale;

import ai.cortensor.portal.admin.AccountId;
import ai.cortensor.portal.admin.InspectionStore.AuditFilter;
import ai.cortensor.portal.admin.InspectionStore.RequestFilter;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.admin.Page;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Every operator lookup the product does, through {@link Operations} (the layer under {@code /admin/api}, the CLI
 * and the console), with random inputs drawn from the generated data (fixed seed: a rerun asks the same
 * questions). Lists are timed on their first page and, following the cursors, on pages 2–20.
 */
final class Lookups {
    static final int DEEP_PAGES = 20;
    /** o1 owns keys 1–10 (its owner u1 has almost no personal traffic), u2 and u3 five keys each. */
    private static final List<String> HEAVY = List.of("o1", "u1", "u2", "u3");

    record Result(String name, long[] nanos, String slowestInput, List<StatementCapture.Executed> slowestStatements) {
        double pct(double p) {
            if (nanos.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100.0 * nanos.length) - 1;
            return nanos[Math.max(0, Math.min(nanos.length - 1, i))] / 1e6;
        }

        double max() {
            return nanos.length == 0 ? Double.NaN : nanos[nanos.length - 1] / 1e6;
        }
    }

    /** Inputs sampled from the data: key ids and public ids, request ids, accounts that send traffic. */
    private record Inputs(long users, long orgs, List<long[]> keyIds, List<String> publicIds, List<String> requestIds,
                          List<String> busyAccounts, List<Long> busyKeys, List<Long> busyUsers) {}

    private final Operations ops;
    private final StatementCapture capture;
    private final Consumer<String> log;
    private final int iterations;
    private final Duration budget;
    private final Inputs in;
    final List<Result> results = new ArrayList<>();

    Lookups(Operations ops, DataSource ds, StatementCapture capture, ScaleData.Sizes sizes, int iterations,
            Duration budget, Consumer<String> log) throws SQLException {
        this.ops = ops;
        this.capture = capture;
        this.log = log;
        this.iterations = iterations;
        this.budget = budget;
        this.in = sample(ds, sizes);
    }

    private static Inputs sample(DataSource ds, ScaleData.Sizes z) throws SQLException {
        Random r = new Random(42);
        List<long[]> keyIds = new ArrayList<>();
        List<String> publicIds = new ArrayList<>();
        List<String> requestIds = new ArrayList<>();
        List<String> accounts = new ArrayList<>();
        List<Long> keys = new ArrayList<>();
        List<Long> users = new ArrayList<>();
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            ids.append(i == 0 ? "" : ",").append(1 + (long) (r.nextDouble() * z.keys()));
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT id, public_id FROM api_keys WHERE id IN (" + ids + ") ORDER BY id");
            while (rs.next()) {
                keyIds.add(new long[] {rs.getLong(1)});
                publicIds.add(rs.getString(2));
            }
            rs = s.executeQuery("""
                    SELECT request_id, api_key_id, user_id, organization_id FROM request_logs
                    TABLESAMPLE SYSTEM (%s) REPEATABLE (42) ORDER BY request_id LIMIT 2000"""
                    .formatted(String.format(Locale.ROOT, "%.4f", Math.min(100.0, 300_000.0 / Math.max(1, z.requests())))));
            while (rs.next()) {
                requestIds.add(rs.getString(1));
                long key = rs.getLong(2);
                if (!rs.wasNull()) {
                    keys.add(key);
                    long org = rs.getLong(4);
                    accounts.add(rs.wasNull() ? "u" + rs.getLong(3) : "o" + org);
                    users.add(rs.getLong(3));
                }
            }
        }
        return new Inputs(z.users(), z.orgs(), keyIds, publicIds, requestIds, accounts, keys, users);
    }

    void runAll() {
        Instant now = Instant.now();
        // directory
        time("user by id", r -> ops.user(Long.toString(1 + r.nextLong(in.users()))));
        time("user by email (mixed case)", r -> ops.user(email(r)));
        time("user by key prefix (8 chars)", r -> ops.user("ctsr_" + pick(r, in.publicIds()).substring(0, 8)));
        time("key by prefix (6–12 chars)", r -> ops.key("ctsr_" + pick(r, in.publicIds()).substring(0, 6 + r.nextInt(7))));
        time("key by id", r -> ops.key(Long.toString(pick(r, in.keyIds())[0])));
        time("organization", r -> ops.organization("o" + (1 + r.nextLong(in.orgs()))));
        list("keys of an account", r -> { String a = account(r); return c -> ops.keys(a, null, c, null); });
        time("account status (plan, limits, usage)", r -> ops.accountStatus(account(r), null));
        time("account status, heaviest accounts (o1, u1, u2, u3)", r -> ops.accountStatus(pick(r, HEAVY), null));
        time("key status", r -> ops.keyStatus("ctsr_" + pick(r, in.publicIds()).substring(0, 10), null));
        // request log
        list("requests: no filter", r -> requests(filter(null, null, null, null, null, null, null, null)));
        list("requests: account", r -> requests(filter(account(r), null, null, null, null, null, null, null)));
        list("requests: heaviest accounts (o1, u1 personal, u2, u3)", r -> requests(filter(pick(r, HEAVY), null, null, null, null, null, null, null)));
        list("requests: user", r -> requests(filter(null, pick(r, in.busyUsers()), null, null, null, null, null, null)));
        list("requests: key", r -> requests(filter(null, null, busyKey(r), null, null, null, null, null)));
        list("requests: model", r -> requests(filter(null, null, null, model(r), null, null, null, null)));
        list("requests: pool", r -> requests(filter(null, null, null, null, pick(r, List.of("default", "overflow", "dedicated-acme")), null, null, null)));
        list("requests: status", r -> requests(filter(null, null, null, null, null, status(r), null, null)));
        list("requests: time range (1 day)", r -> {
            Instant to = now.minus(r.nextInt(30 * 24), ChronoUnit.HOURS);
            return requests(filter(null, null, null, null, null, null, to.minus(1, ChronoUnit.DAYS), to));
        });
        list("requests: account + status", r -> requests(filter(account(r), null, null, null, null, status(r), null, null)));
        list("requests: key + model + 1 day", r -> {
            Instant to = now.minus(r.nextInt(30 * 24), ChronoUnit.HOURS);
            return requests(filter(null, null, busyKey(r), model(r), null, null, to.minus(1, ChronoUnit.DAYS), to));
        });
        list("requests: model + status + 1 day", r -> {
            Instant to = now.minus(r.nextInt(30 * 24), ChronoUnit.HOURS);
            return requests(filter(null, null, null, model(r), null, status(r), to.minus(1, ChronoUnit.DAYS), to));
        });
        time("request by id (lifecycle)", r -> ops.inspection().request(pick(r, in.requestIds())));
        // audit log
        list("audit: no filter", r -> audit(new AuditFilter(null, null, null, null, null, null)));
        list("audit: actor", r -> audit(new AuditFilter(pick(r, List.of("alice@ops.example", "support@ops.example", "oncall@ops.example")), null, null, null, null, null)));
        list("audit: action", r -> audit(new AuditFilter(null, pick(r, List.of("api_key.revoke", "account.pause", "model.disable", "pool.resume")), null, null, null, null)));
        list("audit: target", r -> audit(new AuditFilter(null, null, "user", "u" + (1 + r.nextInt(50)), null, null)));
        list("audit: actor + 1 week", r -> {
            Instant to = now.minus(r.nextInt(80), ChronoUnit.DAYS);
            return audit(new AuditFilter(pick(r, List.of("bob@ops.example", "dan@ops.example")), null, null, null, to.minus(7, ChronoUnit.DAYS), to));
        });
        // find, sign-ups, accounts by usage, dashboard (issue 14)
        time("find: part of an email (e.g. \"ser1234\")", r -> ops.find().find("ser" + (1 + r.nextLong(in.users())), null));
        time("find: an email domain (a quarter of the users)", r -> ops.find().find(
                "@" + pick(r, List.of("example.com", "acme.io", "mail.test", "corp.example")), null));
        time("find: a rare part of a name (\"Org 1234\")", r -> ops.find().find("Org " + (1 + r.nextLong(in.orgs())), null));
        time("find: a key name (\"key 123456\")", r -> ops.find().find("key " + pick(r, in.keyIds())[0], null));
        time("find: nothing matches", r -> ops.find().find("zq" + r.nextInt(1000) + "x", null));
        list("users: newest sign-ups", r -> c -> ops.find().users(null, c, null));
        list("users: email contains a domain", r -> c -> ops.find().users("@acme.io", c, null));
        time("accounts by usage, last hour", r -> ops.find().accountsByUsage("1h", "tokens", null, null));
        time("accounts by usage, last 24 h", r -> ops.find().accountsByUsage("24h", "tokens", null, null));
        time("accounts by usage, last 7 days", r -> ops.find().accountsByUsage("7d", "requests", null, null));
        time("dashboard traffic, last hour", r -> ops.traffic("1h"));
        time("dashboard traffic, last 24 h", r -> ops.traffic("24h"));
    }

    /** The filter is drawn once per walk, so every page of a walk follows the previous page's cursor. */
    private Function<String, Page<?>> requests(RequestFilter f) {
        return c -> ops.inspection().requests(f, c, null);
    }

    private Function<String, Page<?>> audit(AuditFilter f) {
        return c -> ops.inspection().audit(f, c, null);
    }

    // ---- inputs ----

    private String email(Random r) {
        long id = 1 + r.nextLong(in.users());
        String domain = List.of("example.com", "acme.io", "mail.test", "corp.example").get((int) (id % 4));
        String e = "user" + id + "@" + domain;
        return r.nextBoolean() ? e : "User" + id + "@" + domain.toUpperCase(Locale.ROOT);
    }

    /** Half the time an account that sends traffic (so heavy accounts come up as often as they send), else any. */
    private String account(Random r) {
        if (r.nextBoolean() && !in.busyAccounts().isEmpty()) {
            return pick(r, in.busyAccounts());
        }
        return r.nextInt(4) == 0 ? "o" + (1 + r.nextLong(in.orgs())) : "u" + (1 + r.nextLong(in.users()));
    }

    private AccountId acct(String ref) {
        return AccountId.parse(ref);
    }

    private RequestFilter filter(String account, Long user, Long key, String model, String pool, String status,
                                 Instant from, Instant to) {
        return new RequestFilter(account == null ? null : acct(account), user, key, model, pool, status, from, to);
    }

    private Long busyKey(Random r) {
        return r.nextInt(5) == 0 ? (long) (1 + r.nextInt(ScaleData.HEAVY_KEYS)) : pick(r, in.busyKeys());
    }

    private static String model(Random r) {
        return pick(r, List.of("oss-20b", "oss-120b", "gemma-4", "qwen"));
    }

    private static String status(Random r) {
        return pick(r, List.of("completed", "blocked", "failed", "cancelled"));
    }

    private static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    // ---- timing ----

    interface Lookup {
        Object run(Random r);
    }

    /** A list lookup: given the random source, a function from cursor (null first) to a page. */
    interface ListLookup {
        Function<String, Page<?>> start(Random r);
    }

    /** Only the lookups whose name starts with one of these comma-separated prefixes ({@code --only}); null: all. */
    String only;

    private boolean skipped(String name) {
        return only != null && java.util.Arrays.stream(only.split(",")).noneMatch(p -> name.startsWith(p.strip()));
    }

    private void time(String name, Lookup lookup) {
        if (skipped(name)) {
            return;
        }
        Random r = new Random(name.hashCode());
        Sampler s = new Sampler(name);
        for (int i = 0; i < 3; i++) {
            runQuietly(() -> lookup.run(r));
        }
        capture.drain();
        long deadline = System.nanoTime() + budget.toNanos();
        for (int i = 0; i < iterations && System.nanoTime() < deadline; i++) {
            String[] input = new String[1];
            long t = System.nanoTime();
            runQuietly(() -> input[0] = String.valueOf(lookup.run(r)));
            s.add(System.nanoTime() - t, name);
        }
        s.finish();
    }

    private void list(String name, ListLookup lookup) {
        if (skipped(name)) {
            return;
        }
        Random r = new Random(name.hashCode());
        Sampler first = new Sampler(name + ", first page");
        Sampler deep = new Sampler(name + ", pages 2–" + DEEP_PAGES);
        runQuietly(() -> lookup.start(r).apply(null));
        capture.drain();
        long deadline = System.nanoTime() + budget.toNanos();
        int walks = Math.max(5, iterations / 10);
        for (int i = 0; i < iterations && System.nanoTime() < deadline; i++) {
            Function<String, Page<?>> pages = lookup.start(r);
            long t = System.nanoTime();
            Page<?> p = pages.apply(null);
            first.add(System.nanoTime() - t, name);
            for (int n = 2; i < walks && n <= DEEP_PAGES && p.nextCursor() != null; n++) {
                String cursor = p.nextCursor();
                t = System.nanoTime();
                p = pages.apply(cursor);
                deep.add(System.nanoTime() - t, name + " page " + n);
            }
        }
        first.finish();
        deep.finish();
    }

    private static void runQuietly(Runnable run) {
        try {
            run.run();
        } catch (RuntimeException e) {
            if (!e.getClass().getSimpleName().equals("ActionRefused")) {
                throw e;
            }
        }
    }

    private final class Sampler {
        private final String name;
        private long[] nanos = new long[64];
        private int n;
        private long slowest = -1;
        private String slowestInput;
        private List<StatementCapture.Executed> slowestStatements = List.of();

        Sampler(String name) {
            this.name = name;
        }

        void add(long elapsed, String input) {
            List<StatementCapture.Executed> statements = capture.drain();
            if (n == nanos.length) {
                nanos = Arrays.copyOf(nanos, n * 2);
            }
            nanos[n++] = elapsed;
            if (elapsed > slowest) {
                slowest = elapsed;
                slowestInput = input;
                slowestStatements = statements;
            }
        }

        void finish() {
            if (n == 0) {
                return;
            }
            long[] sorted = Arrays.copyOf(nanos, n);
            Arrays.sort(sorted);
            Result res = new Result(name, sorted, slowestInput, slowestStatements);
            results.add(res);
            log.accept(String.format(Locale.ROOT, "%-55s n=%4d p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  max %7.2f ms",
                    name, n, res.pct(50), res.pct(95), res.pct(99), res.max()));
        }
    }
}
