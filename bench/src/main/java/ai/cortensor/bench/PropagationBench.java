package ai.cortensor.bench;

import ai.cortensor.portal.Portal;
import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.plans.AdmissionControl.AccountRef;
import ai.cortensor.routersim.RouterSim;
import ai.cortensor.routersim.SimConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a key revocation takes to reach another replica (issue 6: target 100 ms, hard limit 1 s). Two gateway
 * replicas (two HTTP servers, each with its own connection pool, caches and change-feed listener) on one
 * PostgreSQL and two router simulators. Each trial issues a key, makes replica B cache it (one accepted request),
 * revokes it through replica A at t0, and then polls B with its own HTTP requests, one after another, until B
 * answers 401 {@code revoked_api_key}; the propagation time is t0 to that answer. Run by {@code bench/propagation.sh}:
 * <pre>
 *   PropagationBench [--trials 300] [--database-url JDBC] [--write docs/benchmarks.md] [--note TEXT]
 * </pre>
 * Without {@code --database-url} replica A runs the embedded PostgreSQL and B connects to it.
 */
public final class PropagationBench {
    static final String ROUTER_KEY = "bench-router-key";
    static final Duration GIVE_UP = Duration.ofSeconds(2);

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int trials = Integer.parseInt(opts.getOrDefault("trials", "300"));
        Path work = Files.createTempDirectory("propagation-bench");
        SimConfig sim = SimConfig.defaults().withApiKey(ROUTER_KEY).withSessionIds(Set.of(1L));
        try (RouterSim simA = RouterSim.start(sim.withName("sim-a"));
             RouterSim simB = RouterSim.start(sim.withName("sim-b"))) {
            Map<String, String> config = new HashMap<>(Map.of(
                    "http.port", "0",
                    "management.port", "0", // two replicas in this JVM: each its own free management port
                    "pool.default.targets", "cortensor-v3 " + simA.baseUrl() + " session=1 key=main name=a, "
                            + "cortensor-v3 " + simB.baseUrl() + " session=1 key=main name=b",
                    "router.secret.main", ROUTER_KEY));
            String url = opts.get("database-url");
            String dbMode;
            if (url == null) {
                int port;
                try (ServerSocket s = new ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                config.put("database.embedded-port", Integer.toString(port));
                url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
                dbMode = "embedded PostgreSQL (in replica A's process)";
            } else {
                config.put("database.url", url);
                dbMode = "local PostgreSQL on 127.0.0.1:5432 (fresh database)";
            }
            Map<String, String> configA = new HashMap<>(config);
            configA.put("data.dir", work.resolve("a").toString());
            Map<String, String> configB = new HashMap<>(config);
            configB.put("data.dir", work.resolve("b").toString());
            configB.put("database.url", url);
            configB.remove("database.embedded-port");
            try (Portal a = Portal.start(ConfigLoader.fromMap(configA), InstantSource.system());
                 Portal b = Portal.start(ConfigLoader.fromMap(configB), InstantSource.system())) {
                String pgVersion = a.database().jdbi().withHandle(h -> h.createQuery("SHOW server_version")
                        .mapTo(String.class).one());
                Result r = run(a, b, trials);
                String report = report(r, trials, dbMode + ", PostgreSQL " + pgVersion.split(" ")[0],
                        opts.getOrDefault("note", ""));
                System.out.println(report);
                if (opts.containsKey("write")) {
                    write(Path.of(opts.get("write")), report);
                }
            }
        }
    }

    record Result(double[] fromRevoke, double[] fromCommit, int missed, int staleAnswers, double[] revokeCall) {}

    static Result run(Portal a, Portal b, int trials) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI modelsOnB = URI.create("http://127.0.0.1:" + b.port() + "/v1/models");
        long user = a.accounts().ensureUser("propagation-bench@example.com", null);
        a.admission().changePlan(new AccountRef(user, null), "dedicated");
        int warmup = Math.max(20, trials / 10);
        double[] fromRevoke = new double[trials];
        double[] fromCommit = new double[trials];
        double[] revokeCall = new double[trials];
        int missed = 0;
        int stale = 0;
        for (int t = -warmup; t < trials; t++) {
            ApiKeys.Issued issued = a.keys().issue("trial " + t, user, null, null);
            ApiKey key = issued.key();
            HttpRequest poll = HttpRequest.newBuilder(modelsOnB).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + issued.token()).GET().build();
            int first = http.send(poll, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (first != 200) {
                throw new IllegalStateException("replica B did not accept a fresh key: HTTP " + first);
            }
            Thread.sleep(20); // let the machine settle between trials
            long t0 = System.nanoTime();
            a.keys().revoke(key, ai.cortensor.portal.audit.Actor.system("bench"), "propagation benchmark");
            long t1 = System.nanoTime();
            long end;
            int accepted = 0;
            while (true) {
                HttpResponse<String> r = http.send(poll, HttpResponse.BodyHandlers.ofString());
                end = System.nanoTime();
                if (r.statusCode() == 401 && r.body().contains("revoked_api_key")) {
                    break;
                }
                accepted++;
                if (end - t0 > GIVE_UP.toNanos()) {
                    break;
                }
            }
            if (t < 0) {
                continue;
            }
            boolean miss = end - t0 > GIVE_UP.toNanos();
            missed += miss ? 1 : 0;
            stale += accepted;
            fromRevoke[t] = (end - t0) / 1e6;
            fromCommit[t] = (end - t1) / 1e6;
            revokeCall[t] = (t1 - t0) / 1e6;
        }
        return new Result(fromRevoke, fromCommit, missed, stale, revokeCall);
    }

    static double pct(double[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String row(String name, double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms |", name,
                pct(s, 50), pct(s, 95), pct(s, 99), s[s.length - 1], s[0]);
    }

    static String report(Result r, int trials, String db, String note) throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        double[] sorted = r.fromRevoke().clone();
        Arrays.sort(sorted);
        double p99 = pct(sorted, 99);
        StringBuilder out = new StringBuilder();
        out.append("Run of ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern(
                "yyyy-MM-dd HH:mm"))).append(" UTC: ").append(trials).append(" trials. Machine: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs (").append(cpu).append("), JDK ")
                .append(Runtime.version()).append(", ").append(db).append("; load average before the run ")
                .append(load.split(" ")[0]).append(' ').append(load.split(" ")[1]).append(' ')
                .append(load.split(" ")[2]).append(". Both replicas, both simulators, PostgreSQL and the poller share")
                .append(" these CPUs.").append(note.isBlank() ? "" : " " + note).append("\n\n")
                .append("| revoke on A → rejected on B | p50 | p95 | p99 | max | min |\n")
                .append("|---|---:|---:|---:|---:|---:|\n")
                .append(row("from the start of the revoke call (commit + NOTIFY included)", r.fromRevoke()))
                .append('\n')
                .append(row("from the revoke call's return (committed and published)", r.fromCommit())).append('\n')
                .append(row("the revoke call itself on A (UPDATE + pg_notify)", r.revokeCall())).append("\n\n")
                .append(String.format(Locale.ROOT, "Requests B still accepted after the revoke call had returned (its polls in the window): %d in "
                        + "%d trials. Not rejected within %d s: %d. Target p99 ≤ 100 ms: **%s** (%.1f ms); hard limit "
                        + "1 s: **%s** (max %.1f ms).", r.staleAnswers(), trials, GIVE_UP.toSeconds(), r.missed(),
                        p99 <= 100 ? "met" : "missed", p99, sorted[sorted.length - 1] <= 1000 ? "met" : "missed",
                        sorted[sorted.length - 1]));
        return out.toString();
    }

    static void write(Path doc, String report) throws IOException {
        String s = Files.readString(doc);
        Pattern block = Pattern.compile("<!-- bench:propagation:begin.*?<!-- bench:propagation:end -->",
                Pattern.DOTALL);
        String replacement = "<!-- bench:propagation:begin (written by bench/propagation.sh --write) -->\n"
                + report + "\n<!-- bench:propagation:end -->";
        Matcher m = block.matcher(s);
        if (!m.find()) {
            throw new IllegalStateException(doc + " has no bench:propagation markers");
        }
        Files.writeString(doc, m.replaceFirst(Matcher.quoteReplacement(replacement)));
    }
}
