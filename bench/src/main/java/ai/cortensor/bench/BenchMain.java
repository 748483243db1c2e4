package ai.cortensor.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Entry point of {@code bench/target/bench.jar}, driven by {@code bench/run.sh}:
 * <pre>
 *   body gateway|direct [--stream] [--max-tokens N]     print a request body (for wrk scripts)
 *   latency  --gateway URL --gateway-key K --direct URL[,URL] --direct-key K [--rates 500,1000,2000]
 *            [--seconds 10] [--slice 2] [--warmup 10] [--connections 32] [--cpu name=pid[+pid],...]
 *            [--metrics URL] --out FILE          (direct and gateway alternate in --slice second slices)
 *   streams  --gateway URL --gateway-key K --direct URL[,URL] --direct-key K [--concurrency 200[,50...]]
 *            [--seconds 20] [--extra-seconds 10] [--warmup 10] [--tokens 64] [--metrics URL] [--pid N]
 *            [--cpu name=pid[+pid],...] --out FILE
 *   slowstreams --gateway URL --gateway-key K --streams N [--requested 10000] [--limit-reason TEXT] [--tps 20]
 *            [--tokens 2000] [--ramp 20] [--settle 5] [--seconds 40] [--after 10] [--metrics URL] [--pid N]
 *            [--cpu name=pid[+pid],...] --out FILE   (N streams held open at once; see SlowStreams)
 *   ledger   --database-url URL [--seconds 10] [--warmup 5] [--keys 100] [--rate 6000] [--rate-seconds 10]
 *            [--batch-size N] [--queue-capacity N] [--flush-interval PT0.05S] --out FILE
 *                                                the usage ledger alone against a fresh PostgreSQL database
 *   report   --results DIR --doc FILE                   rewrite the results section of docs/benchmarks.md
 *   jfr-top  --file REC.jfr [--top 25]                  summarise a JFR recording's execution samples
 * </pre>
 */
public final class BenchMain {

    static final String MODEL = "qwen";
    /**
     * What the gateway renders for the gateway body (Qwen3, thinking off), sent as is on the direct path, so both
     * paths make the simulator write the same answer: plain words, no reasoning.
     */
    static final String RENDERED_PROMPT =
            "<|im_start|>user\\nhello<|im_end|>\\n<|im_start|>assistant\\n<think>\\n\\n</think>\\n\\n";
    static final byte[] FIRST_TOKEN = ResponseParser.ascii("lorem");

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: bench.jar body|latency|streams|slowstreams|report|jfr-top [options]");
            System.exit(2);
        }
        Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "body" -> System.out.println(body(args.length > 1 ? args[1] : "gateway", o.containsKey("stream"),
                    Integer.parseInt(o.getOrDefault("max-tokens", "16"))));
            case "latency" -> latency(o);
            case "streams" -> streams(o);
            case "slowstreams" -> SlowStreams.run(o);
            case "ledger" -> LedgerBench.run(o);
            case "report" -> Report.write(Path.of(req(o, "results")), Path.of(req(o, "doc")));
            case "jfr-top" -> JfrTop.print(Path.of(req(o, "file")), Integer.parseInt(o.getOrDefault("top", "25")));
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }

    static String body(String kind, boolean stream, int maxTokens) {
        return switch (kind) {
            case "gateway" -> "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],"
                    + "\"chat_template_kwargs\":{\"enable_thinking\":false},\"max_tokens\":" + maxTokens + (stream ? ",\"stream\":true" : "") + "}";
            case "direct" -> "{\"prompt\":\"" + RENDERED_PROMPT + "\",\"prompt_type\":1,\"prompt_template\":\"\","
                    + "\"timeout\":300,\"client_reference\":\"bench\",\"stream\":" + stream + ",\"max_tokens\":"
                    + maxTokens + "}";
            default -> throw new IllegalArgumentException("body gateway|direct");
        };
    }

    // ---- non-streaming added latency, open loop ---------------------------------------------------------------

    private static void latency(Map<String, String> o) throws Exception {
        List<Integer> rates = Arrays.stream(o.getOrDefault("rates", "500,1000,2000").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "10"));
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "10"));
        int connections = Integer.parseInt(o.getOrDefault("connections", "32"));
        double sliceSeconds = Double.parseDouble(o.getOrDefault("slice", "2"));
        List<Endpoint> gateway = endpoints(req(o, "gateway"), req(o, "gateway-key"), body("gateway", false, 16), false);
        List<Endpoint> direct = endpoints(req(o, "direct"), req(o, "direct-key"), body("direct", false, 16), false);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("seconds", fmt(seconds));
        out.put("connections", Integer.toString(connections));
        out.put("warmup", fmt(warmup));
        out.put("slice", fmt(sliceSeconds));
        out.put("rates", o.getOrDefault("rates", "500,1000,2000"));
        int maxRate = rates.stream().mapToInt(Integer::intValue).max().orElse(1000);
        CpuMeter cpu = new CpuMeter(o.get("cpu"));
        ServerSampler server = o.containsKey("metrics") ? new ServerSampler(o.get("metrics"), o.get("pid")) : null;
        try (LoadEngine gw = new LoadEngine(gateway, Math.max(1, connections / gateway.size()), null);
             LoadEngine dr = new LoadEngine(direct, Math.max(1, connections / direct.size()), null)) {
            if (warmup > 0) {
                log("warm-up: gateway %.0f s and direct %.0f s at %d req/s", warmup, Math.min(warmup, 5), maxRate);
                // ramp up so a cold JIT is not flooded, then hold the highest rate
                gw.openLoop(Math.max(100, maxRate / 4.0), Math.min(2, warmup / 4), 5);
                gw.openLoop(maxRate, warmup, 5);
                dr.openLoop(maxRate, Math.min(warmup, 5), 5);
                pause();
                if (server != null) {
                    server.awaitUsageDrained();
                }
            }
            // Direct and gateway alternate in short slices, so a change in other load on the machine hits both.
            int slices = Math.max(1, (int) Math.round(seconds / sliceSeconds));
            for (int rate : rates) {
                Map<String, LoadEngine.Result> total = new LinkedHashMap<>();
                long queueMax = 0;
                long spooled = 0;
                long written = 0;
                long allocated = 0;
                for (int slice = 0; slice < slices; slice++) {
                    for (String target : List.of("direct", "gateway")) {
                        LoadEngine e = target.equals("gateway") ? gw : dr;
                        boolean sample = server != null && target.equals("gateway");
                        if (sample) {
                            server.start();
                        }
                        cpu.start();
                        LoadEngine.Result r = e.openLoop(rate, seconds / slices, 5);
                        cpu.accumulate(rate + target);
                        if (sample) {
                            server.stop();
                            queueMax = Math.max(queueMax, server.maxQueue.get());
                            spooled += server.delta("portal_usage_records_spooled_total");
                            written += server.delta("portal_usage_records_written_total");
                            allocated = allocated < 0 || server.allocated() < 0 ? -1 : allocated + server.allocated();
                            server.awaitUsageDrained();
                        }
                        total.merge(target, r, (a, b) -> {
                            a.add(b);
                            return a;
                        });
                        Thread.sleep(200);
                    }
                }
                for (var entry : total.entrySet()) {
                    String target = entry.getKey();
                    LoadEngine.Result r = entry.getValue();
                    String p = "r" + rate + "." + target + ".";
                    cpu.put(out, p, rate + target, r.ok);
                    if (server != null && target.equals("gateway")) {
                        out.put(p + "usage_queue_max", Long.toString(queueMax));
                        out.put(p + "usage_spooled", Long.toString(spooled));
                        out.put(p + "usage_written", Long.toString(written));
                        if (allocated >= 0 && r.ok > 0) {
                            out.put(p + "alloc_bytes_per_req", Long.toString(allocated / r.ok));
                        }
                    }
                    put(out, p, r, false);
                    log("%5d req/s %-7s p50 %s p90 %s p99 %s max %s ms, ok %d, errors %d %s, send lag p50/p99 %s/%s ms, %s",
                            rate, target, ms(r.latency, 50), ms(r.latency, 90), ms(r.latency, 99),
                            ms(r.latency.getMaxValue()), r.ok, r.errorCount(), r.errors.isEmpty() ? "" : r.errors,
                            ms(r.sendLag, 50), ms(r.sendLag, 99), cpuSummary(out, p));
                }
                pause();
            }
        }
        writeProps(Path.of(req(o, "out")), out);
    }

    // ---- streaming, closed loop --------------------------------------------------------------------------------

    private static void streams(Map<String, String> o) throws Exception {
        // the first level is the headline one (heap is sampled there); further levels, e.g. a light load that
        // leaves the machine CPU to spare, are run after it for --extra-seconds each
        List<Integer> levels = Arrays.stream(o.getOrDefault("concurrency", "200").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "20"));
        double extraSeconds = Double.parseDouble(o.getOrDefault("extra-seconds", Double.toString(seconds / 2)));
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "10"));
        int tokens = Integer.parseInt(o.getOrDefault("tokens", "64"));
        List<Endpoint> gateway = endpoints(req(o, "gateway"), req(o, "gateway-key"), body("gateway", true, tokens), true);
        List<Endpoint> direct = endpoints(req(o, "direct"), req(o, "direct-key"), body("direct", true, tokens), true);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("concurrency", Integer.toString(levels.get(0)));
        out.put("seconds", fmt(seconds));
        out.put("tokens", Integer.toString(tokens));
        out.put("extra_levels", String.join(",", levels.subList(1, levels.size()).stream().map(String::valueOf).toList()));
        out.put("extra_seconds", fmt(extraSeconds));
        CpuMeter cpu = new CpuMeter(o.get("cpu"));
        ServerSampler heap = o.containsKey("metrics") ? new ServerSampler(o.get("metrics"), o.get("pid")) : null;
        if (heap != null) {
            out.put("gateway.heap_before_mb", fmt(heap.scrape().getOrDefault("heap", 0.0) / 1048576.0));
        }
        for (int i = 0; i < levels.size(); i++) {
            int concurrency = levels.get(i);
            boolean headline = i == 0;
            String level = headline ? "" : "c" + concurrency + ".";
            try (LoadEngine gw = new LoadEngine(gateway, Math.max(1, concurrency / gateway.size()), FIRST_TOKEN);
                 LoadEngine dr = new LoadEngine(direct, Math.max(1, concurrency / direct.size()), FIRST_TOKEN)) {
                if (headline && warmup > 0) {
                    log("warm-up: %d concurrent streams through the gateway for %.0f s", concurrency, warmup);
                    gw.closedLoop(warmup, 10);
                    dr.closedLoop(Math.min(5, warmup), 10);
                    pause();
                }
                if (heap != null) {
                    heap.awaitUsageDrained();
                }
                for (String target : List.of("direct", "gateway")) {
                    LoadEngine e = target.equals("gateway") ? gw : dr;
                    boolean sample = heap != null && target.equals("gateway");
                    boolean sampleHeap = sample && headline;
                    if (sample) {
                        heap.start();
                    }
                    String p = level + target + ".";
                    cpu.start();
                    LoadEngine.Result r = e.closedLoop(headline ? seconds : extraSeconds, 10);
                    cpu.stop(out, p, r.completedInWindow);
                    cpu.perUnit(out, p, "frame", r.frames);
                    out.put(p + "frames", Long.toString(r.frames));
                    if (sample) {
                        heap.stop();
                        long allocated = heap.allocated();
                        if (allocated >= 0 && r.completedInWindow > 0 && r.frames > 0) {
                            out.put(p + "alloc_bytes_per_stream", Long.toString(allocated / r.completedInWindow));
                            out.put(p + "alloc_bytes_per_frame", Long.toString(allocated / r.frames));
                        }
                    }
                    if (sampleHeap) {
                        usage(out, p, heap);
                        out.put("gateway.heap_max_mb", fmt(heap.maxHeap.get() / 1048576.0));
                        out.put("gateway.heap_end_mb", fmt(heap.lastHeap.get() / 1048576.0));
                        if (heap.maxRss.get() > 0) {
                            out.put("gateway.rss_max_mb", fmt(heap.maxRss.get() / 1048576.0));
                        }
                    }
                    put(out, p, r, true);
                    out.put(p + "streams_per_s", fmt(r.completedInWindow / r.seconds));
                    log("%-7s %d concurrent: %.1f streams/s, TTFT p50 %s p99 %s ms, stream p50 %s ms, ok %d, errors %d %s, cpu %s",
                            target, concurrency, r.completedInWindow / r.seconds, ms(r.ttft, 50), ms(r.ttft, 99),
                            ms(r.latency, 50), r.ok, r.errorCount(), r.errors.isEmpty() ? "" : r.errors,
                            cpuSummary(out, p));
                    pause();
                }
            }
        }
        if (heap != null) {
            log("gateway heap: before %s MB, max %s MB, end %s MB", out.get("gateway.heap_before_mb"),
                    out.get("gateway.heap_max_mb"), out.get("gateway.heap_end_mb"));
        }
        writeProps(Path.of(req(o, "out")), out);
    }

    /**
     * Polls the gateway's Prometheus {@code /metrics} every second while started: heap used
     * ({@code jvm_memory_used_bytes{area="heap"}} summed over pools), live data after the last collection
     * ({@code jvm_gc_live_data_size_bytes}), the usage queue's depth, the process RSS and its open file descriptors.
     * Counters ({@code portal_*}) are read at start and stop; {@link #allocated} is the gateway's allocation between
     * them ({@code portal_jvm_allocated_bytes_total}) less what the scrapes themselves allocated in the gateway.
     */
    static final class ServerSampler {
        static final String ALLOCATED = "portal_jvm_allocated_bytes_total";
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final URI uri;
        private final String pid;
        final AtomicLong maxHeap = new AtomicLong();
        final AtomicLong lastHeap = new AtomicLong();
        final AtomicLong maxLive = new AtomicLong();
        final AtomicLong maxRss = new AtomicLong();
        final AtomicLong maxFds = new AtomicLong();
        final AtomicLong maxQueue = new AtomicLong();
        /** Scrapes answered so far, by any thread (each allocates in the gateway). */
        private final AtomicLong scrapes = new AtomicLong();
        /** The least a scrape was seen to allocate in the gateway (two scrapes back to back), or -1. */
        private long scrapeCost = -1;
        private Snapshot before = Snapshot.EMPTY;
        private Snapshot after = Snapshot.EMPTY;
        private volatile boolean running;
        private Thread thread;

        /** Counter values and how many scrapes had been answered when they were read. */
        record Snapshot(Map<String, Double> values, long scrapes) {
            static final Snapshot EMPTY = new Snapshot(Map.of(), 0);

            double get(String metric) {
                return values.getOrDefault(metric, 0.0);
            }
        }

        ServerSampler(String url, String pid) {
            this.uri = URI.create(url);
            this.pid = pid;
        }

        /**
         * A counter reading taken by the sampling thread, stamped when the answer arrived (a loaded gateway may
         * answer late, but reads its counter just before answering), with an outside count read at that moment.
         */
        record Probe(long nanos, double allocated, long scrapes, long outside) {
        }

        /** Readings of the sampling thread since {@link #start}; see {@link #probeOutside}. */
        final List<Probe> probes = java.util.Collections.synchronizedList(new ArrayList<>());
        /** Read with every probe, e.g. the load generator's frames so far; set before {@link #start}. */
        volatile java.util.function.LongSupplier probeOutside = () -> 0;

        void start() {
            start(true);
        }

        /** Starts sampling every second; {@code mark}: also read the counters now (two scrapes, see {@link #mark}). */
        void start(boolean mark) {
            maxHeap.set(0);
            maxLive.set(0);
            maxRss.set(0);
            maxFds.set(0);
            maxQueue.set(0);
            probes.clear();
            before = mark ? mark() : Snapshot.EMPTY;
            running = true;
            thread = Thread.ofPlatform().daemon(true).name("server-sampler").start(() -> {
                while (running) {
                    try {
                        // /proc first: it always answers, while a saturated gateway may answer /metrics late or not
                        maxRss.accumulateAndGet(rss(), Math::max);
                        maxFds.accumulateAndGet(fds(), Math::max);
                        Map<String, Double> m = scrape();
                        long now = System.nanoTime();
                        if (m.containsKey(ALLOCATED)) {
                            probes.add(new Probe(now, m.get(ALLOCATED), scrapes.get(), probeOutside.getAsLong()));
                        }
                        sample(m);
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        log("sampling %s failed: %s", uri, e);
                    }
                }
            });
        }

        void stop() throws InterruptedException {
            stop(true);
        }

        /** Stops sampling; {@code mark}: also read the counters now for {@link #allocated} and {@link #delta}. */
        void stop(boolean mark) throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
            after = mark ? mark() : Snapshot.EMPTY;
            sample(after.values());
        }

        /**
         * Allocation per unit of the outside count between the first and the last probe taken in [from, to]
         * (nanoTime), less the scrapes in between: {bytes, outside units, seconds}, or null with fewer than two.
         */
        double[] allocatedPerOutside(long from, long to) {
            List<Probe> in;
            synchronized (probes) {
                in = probes.stream().filter(p -> p.nanos() >= from && p.nanos() <= to).toList();
            }
            if (in.size() < 2) {
                return null;
            }
            Probe a = in.get(0);
            Probe b = in.get(in.size() - 1);
            double bytes = b.allocated() - a.allocated() - (b.scrapes() - a.scrapes()) * (double) Math.max(0, scrapeCost);
            return new double[] {Math.max(0, bytes), b.outside() - a.outside(), (b.nanos() - a.nanos()) / 1e9};
        }

        /**
         * Reads the counters now, for {@link #allocatedBetween}; the first time it also learns what one scrape
         * allocates in the gateway, from two scrapes back to back (~20 MB with Micrometer's Prometheus writer, so
         * later marks take one scrape only, not to add garbage to the gateway's measured windows).
         */
        Snapshot mark() {
            if (scrapeCost >= 0) {
                return snapshot();
            }
            Snapshot a = snapshot();
            Snapshot b = snapshot();
            double cost = b.get(ALLOCATED) - a.get(ALLOCATED);
            if (a.values().containsKey(ALLOCATED) && b.values().containsKey(ALLOCATED) && cost >= 0
                    && (scrapeCost < 0 || cost < scrapeCost)) {
                scrapeCost = Math.round(cost);
            }
            return b;
        }

        private Snapshot snapshot() {
            Map<String, Double> v = scrapeQuietly();
            return new Snapshot(v, scrapes.get());
        }

        /** Bytes the gateway allocated from {@code a} to {@code b}, less the scrapes answered in between; -1: unknown. */
        long allocatedBetween(Snapshot a, Snapshot b) {
            if (!a.values().containsKey(ALLOCATED) || !b.values().containsKey(ALLOCATED)) {
                return -1;
            }
            long raw = Math.round(b.get(ALLOCATED) - a.get(ALLOCATED));
            return Math.max(0, raw - (b.scrapes() - a.scrapes()) * Math.max(0, scrapeCost));
        }

        /** Bytes the gateway allocated between start and stop (see {@link #allocatedBetween}); -1: unknown. */
        long allocated() {
            return allocatedBetween(before, after);
        }

        long scrapeCost() {
            return scrapeCost;
        }

        /** Waits (up to 60 s) until the gateway's usage queue is empty, so one run's metering backlog stays in it. */
        void awaitUsageDrained() throws InterruptedException {
            long start = System.nanoTime();
            while (System.nanoTime() - start < 60_000_000_000L) {
                double depth = scrapeQuietly().getOrDefault("portal_usage_queue_depth", 0.0);
                if (depth < 1) {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (ms > 1000) {
                        log("waited %d ms for the gateway's usage queue to drain", ms);
                    }
                    return;
                }
                Thread.sleep(200);
            }
            log("the gateway's usage queue did not drain in 60 s");
        }

        /** How much a counter grew between start and stop. */
        long delta(String metric) {
            return Math.round(after.get(metric) - before.get(metric));
        }

        private void sample(Map<String, Double> m) {
            long heap = Math.round(m.getOrDefault("heap", 0.0));
            if (heap > 0) {
                lastHeap.set(heap);
                maxHeap.accumulateAndGet(heap, Math::max);
            }
            maxLive.accumulateAndGet(Math.round(m.getOrDefault("jvm_gc_live_data_size_bytes", 0.0)), Math::max);
            maxQueue.accumulateAndGet(Math.round(m.getOrDefault("portal_usage_queue_depth", 0.0)), Math::max);
        }

        Map<String, Double> scrapeQuietly() {
            try {
                return scrape();
            } catch (Exception e) {
                log("sampling %s failed: %s", uri, e);
                return Map.of();
            }
        }

        Map<String, Double> scrape() throws IOException, InterruptedException {
            // long: with thousands of streams the gateway's virtual-thread scheduler can queue a scrape for seconds
            String text = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            scrapes.incrementAndGet();
            Map<String, Double> m = new HashMap<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                double v;
                try {
                    v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    m.merge("heap", v, Double::sum);
                } else if (line.startsWith("portal_") || line.startsWith("jvm_gc_live_data_size_bytes")) {
                    int end = line.indexOf('{') > 0 ? line.indexOf('{') : line.indexOf(' ');
                    m.merge(line.substring(0, end), v, Double::sum);
                }
            }
            return m;
        }

        long rss() {
            if (pid == null) {
                return 0;
            }
            try {
                for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // process gone or not Linux
            }
            return 0;
        }

        /** Open file descriptors of the process (sockets included), or 0 when unknown. */
        long fds() {
            if (pid == null) {
                return 0;
            }
            try (var list = Files.list(Path.of("/proc", pid, "fd"))) {
                return list.count();
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    private static void usage(Map<String, String> out, String p, ServerSampler s) {
        out.put(p + "usage_queue_max", Long.toString(s.maxQueue.get()));
        out.put(p + "usage_spooled", Long.toString(s.delta("portal_usage_records_spooled_total")));
        out.put(p + "usage_written", Long.toString(s.delta("portal_usage_records_written_total")));
    }

    private static String cpuSummary(Map<String, String> out, String prefix) {
        StringBuilder b = new StringBuilder();
        out.forEach((k, v) -> {
            if (k.startsWith(prefix + "cpu.") || k.equals(prefix + "machine_busy_pct") || k.startsWith(prefix + "usage_")
                    || k.startsWith(prefix + "alloc_")) {
                b.append(b.isEmpty() ? "" : " ").append(k.substring(prefix.length())).append('=').append(v);
            }
        });
        return b.toString();
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    static List<Endpoint> endpoints(String urls, String key, String body, boolean stream) {
        List<Endpoint> list = new ArrayList<>();
        for (String u : urls.split(",")) {
            if (!u.isBlank()) {
                list.add(Endpoint.post(u.trim(), key, body, stream));
            }
        }
        return list;
    }

    private static void put(Map<String, String> out, String p, LoadEngine.Result r, boolean stream) {
        Histogram h = r.latency;
        out.put(p + "sent", Long.toString(r.sent));
        out.put(p + "ok", Long.toString(r.ok));
        out.put(p + "errors", Long.toString(r.errorCount()));
        out.put(p + "error_kinds", r.errors.toString());
        out.put(p + "achieved_per_s", fmt(r.completedInWindow / r.seconds));
        for (int q : new int[] {50, 90, 99}) {
            out.put(p + "p" + q + "_us", us(h.getValueAtPercentile(q)));
        }
        out.put(p + "p999_us", us(h.getValueAtPercentile(99.9)));
        out.put(p + "max_us", us(h.getMaxValue()));
        if (stream) {
            out.put(p + "ttft_p50_us", us(r.ttft.getValueAtPercentile(50)));
            out.put(p + "ttft_p90_us", us(r.ttft.getValueAtPercentile(90)));
            out.put(p + "ttft_p99_us", us(r.ttft.getValueAtPercentile(99)));
            out.put(p + "ttft_max_us", us(r.ttft.getMaxValue()));
        } else {
            out.put(p + "send_lag_p50_us", us(r.sendLag.getValueAtPercentile(50)));
            out.put(p + "send_lag_p99_us", us(r.sendLag.getValueAtPercentile(99)));
        }
    }

    static void writeProps(Path file, Map<String, String> values) throws IOException {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, sb.toString());
    }

    static void pause() throws InterruptedException {
        Thread.sleep(1000);
    }

    static String us(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    static String ms(Histogram h, double q) {
        return ms(h.getValueAtPercentile(q));
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
        System.out.flush();
    }

    static String req(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                continue;
            }
            String name = a.substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.put(name, args[++i]);
            } else {
                o.put(name, "true");
            }
        }
        return o;
    }
}
