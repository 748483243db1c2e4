package ai.cortensor.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Turns the run's result files ({@code machine}, {@code latency}, {@code throughput}, {@code streams},
 * {@code ledger} {@code .properties}) into the results section of {@code docs/benchmarks.md}, between the
 * {@code <!-- bench:results:begin -->} and {@code <!-- bench:results:end -->} markers; the rest of the file is kept.
 */
final class Report {
    static final String BEGIN = "<!-- bench:results:begin (written by bench/run.sh; edits here are overwritten) -->";
    static final String END = "<!-- bench:results:end -->";

    // issue 12 ("close to the wire")
    static final double TARGET_P50_ADDED_MS = 0.2;
    static final double TARGET_P99_ADDED_MS = 1.0;
    static final double TARGET_THROUGHPUT_RATIO = 0.6;
    static final double TARGET_CPU_PER_REQUEST_US = 60;
    static final double TARGET_CPU_PER_FRAME_US = 10;
    static final double TARGET_ADDED_TTFT_MS = 3;
    static final int TARGET_SLOW_STREAMS = 10_000;
    static final double TARGET_SLOW_HEAP_MB = 1024;
    static final double TARGET_LEDGER_RECORDS_PER_S = 20_000;

    private Report() {
    }

    static void write(Path results, Path doc) throws IOException {
        String section = render(results);
        String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n";
        int b = text.indexOf("<!-- bench:results:begin");
        int e = text.indexOf(END);
        if (b < 0 || e < b) {
            text = text + "\n" + BEGIN + "\n" + END + "\n";
            b = text.indexOf("<!-- bench:results:begin");
            e = text.indexOf(END);
        }
        String updated = text.substring(0, b) + BEGIN + "\n" + section + END + text.substring(e + END.length());
        Files.writeString(doc, updated);
        System.out.print(section);
    }

    static String render(Path dir) throws IOException {
        Properties m = load(dir.resolve("machine.properties"));
        Properties lat = load(dir.resolve("latency.properties"));
        Properties tp = load(dir.resolve("throughput.properties"));
        Properties st = load(dir.resolve("streams.properties"));
        Properties slow = load(dir.resolve("slowstreams.properties"));
        StringBuilder s = new StringBuilder();
        List<String> verdicts = new ArrayList<>();

        s.append("\n### Results of ").append(m.getProperty("date", "?")).append("\n\n");
        s.append("Machine: ").append(m.getProperty("nproc", "?")).append(" CPUs (").append(m.getProperty("cpu", "?"))
                .append("), ").append(m.getProperty("mem", "?")).append(" RAM, ").append(m.getProperty("kernel", "?"))
                .append("; JDK ").append(m.getProperty("jdk", "?")).append("; PostgreSQL: ")
                .append(m.getProperty("database", "?")).append("; commit ").append(m.getProperty("commit", "?"))
                .append(", server jar built ").append(m.getProperty("jar_built", "?"))
                .append(".\nLoad generator, gateway, both simulators, nginx and PostgreSQL share these CPUs; load average ")
                .append(m.getProperty("loadavg_before", "?")).append(" before the run, ")
                .append(m.getProperty("loadavg_after", "?")).append(" after it; other work kept the machine ")
                .append(m.getProperty("background_busy_pct", "?")).append("% busy just before measuring. CPU figures "
                        + "are per process from /proc (a CPU = one core = 100%); bytes allocated are the gateway's "
                        + "`portal_jvm_allocated_bytes_total` over the measured window (less its /metrics scrapes, "
                        + "read from its management port). "
                        + "Gateway JVM: ").append(m.getProperty("gateway_heap", "?")).append(".\n\n");

        // ---- latency
        if (!lat.isEmpty()) {
            s.append("#### Added latency, non-streaming (open loop, ").append(lat.getProperty("seconds"))
                    .append(" s per point after a ").append(lat.getProperty("warmup", "?"))
                    .append(" s warm-up, taken as alternating ").append(lat.getProperty("slice", "?"))
                    .append(" s slices of direct and gateway, ").append(lat.getProperty("connections"))
                    .append(" keep-alive connections; latency from the scheduled send time)\n\n");
            s.append("| offered req/s | direct p50 | gateway p50 | **added p50** | direct p99 | gateway p99 | "
                    + "**added p99** | gateway max | errors (direct / gateway) | gateway CPU per request | gateway bytes "
                    + "allocated per request | machine busy | usage queue max / spooled |\n");
            s.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            String[] rates = lat.getProperty("rates", "").split(",");
            long spooled = 0;
            for (String rate : rates) {
                String d = "r" + rate.trim() + ".direct.";
                String g = "r" + rate.trim() + ".gateway.";
                if (lat.getProperty(g + "p50_us") == null) {
                    continue;
                }
                double d50 = ms(lat, d + "p50_us");
                double g50 = ms(lat, g + "p50_us");
                double d99 = ms(lat, d + "p99_us");
                double g99 = ms(lat, g + "p99_us");
                s.append(String.format(Locale.ROOT, "| %s | %.3f ms | %.3f ms | **%+.3f ms** | %.3f ms | %.3f ms | "
                                + "**%+.3f ms** | %.3f ms | %s / %s | %s µs | %s | %s%% | %s / %s |\n", rate.trim(), d50, g50,
                        g50 - d50, d99, g99, g99 - d99, ms(lat, g + "max_us"), lat.getProperty(d + "errors"),
                        lat.getProperty(g + "errors"), lat.getProperty(g + "cpu.gateway_us_per_req", "?"),
                        bytes(lat.getProperty(g + "alloc_bytes_per_req")),
                        lat.getProperty(g + "machine_busy_pct", "?"), lat.getProperty(g + "usage_queue_max", "?"),
                        lat.getProperty(g + "usage_spooled", "?")));
                spooled += Long.parseLong(lat.getProperty(g + "usage_spooled", "0"));
            }
            if (spooled > 0) {
                verdicts.add("metering fell behind during the latency runs: " + spooled + " usage records found the "
                        + "usage queue full and went to the disk spool (see the reading below)");
            }
            String top = rates[rates.length - 1].trim();
            String d = "r" + top + ".direct.";
            String g = "r" + top + ".gateway.";
            if (lat.getProperty(g + "p50_us") != null) {
                double added50 = ms(lat, g + "p50_us") - ms(lat, d + "p50_us");
                double added99 = ms(lat, g + "p99_us") - ms(lat, d + "p99_us");
                verdicts.add(verdict("added p50 at " + top + " req/s", added50, TARGET_P50_ADDED_MS, true, " ms"));
                verdicts.add(verdict("added p99 at " + top + " req/s", added99, TARGET_P99_ADDED_MS, true, " ms"));
                long errors = Long.parseLong(lat.getProperty(g + "errors", "0"));
                if (errors > 0) {
                    verdicts.add("gateway errors at " + top + " req/s: " + errors + " " + lat.getProperty(g + "error_kinds"));
                }
                s.append(String.format(Locale.ROOT, "\nHow late requests left the generator (its scheduling delay "
                                + "plus any wait for a free connection; part of the latencies above) at %s req/s: "
                                + "direct p50 %.3f / p99 %.3f ms, gateway p50 %.3f / p99 %.3f ms. Machine busy = all "
                                + "CPUs, everything on the machine, during the gateway run.\n\n", top,
                        ms(lat, d + "send_lag_p50_us"), ms(lat, d + "send_lag_p99_us"),
                        ms(lat, g + "send_lag_p50_us"), ms(lat, g + "send_lag_p99_us")));
            }
        }

        // ---- throughput
        if (!tp.isEmpty()) {
            s.append("#### Maximum throughput, non-streaming (closed loop: wrk -t").append(tp.getProperty("threads"))
                    .append(" -c").append(tp.getProperty("connections")).append(", ").append(tp.getProperty("seconds"))
                    .append(" s per path as ").append(tp.getProperty("slices", "1"))
                    .append(" alternating slices; p50/p99 are the median over slices)\n\n");
            s.append("| path | req/s | p50 | p99 | errors | proxy CPU | proxy CPU per request | proxy bytes allocated "
                    + "per request | simulators CPU per request | machine busy |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (String[] row : new String[][] {{"nginx", "nginx proxy_pass → simulators (baseline)"},
                    {"gateway", "gateway → simulators"}}) {
                if (tp.getProperty(row[0] + ".rps") == null) {
                    continue;
                }
                s.append("| ").append(row[1]).append(" | ").append(tp.getProperty(row[0] + ".rps")).append(" | ")
                        .append(tp.getProperty(row[0] + ".p50")).append(" | ").append(tp.getProperty(row[0] + ".p99"))
                        .append(" | ").append(tp.getProperty(row[0] + ".errors"))
                        .append(" | ").append(tp.getProperty(row[0] + ".cpu.proxy_pct", "?")).append("% of a CPU")
                        .append(" | ").append(tp.getProperty(row[0] + ".cpu.proxy_us_per_req", "?")).append(" µs")
                        .append(" | ").append(row[0].equals("gateway") ? bytes(tp.getProperty("gateway.alloc_bytes_per_req")) : "—")
                        .append(" | ").append(tp.getProperty(row[0] + ".cpu.simulators_us_per_req", "?")).append(" µs")
                        .append(" | ").append(tp.getProperty(row[0] + ".machine_busy_pct", "?")).append("% |\n");
            }
            if (tp.getProperty("gateway.rps") != null && tp.getProperty("nginx.rps") != null) {
                long spooledTp = Long.parseLong(tp.getProperty("gateway.usage_spooled", "0"));
                if (spooledTp > 0) {
                    s.append("\nDuring the gateway run ").append(spooledTp).append(" usage records found the usage queue "
                            + "full and went to the disk spool.\n");
                }
                double ratio = Double.parseDouble(tp.getProperty("gateway.rps")) / Double.parseDouble(tp.getProperty("nginx.rps"));
                s.append(String.format(Locale.ROOT, "\n**Gateway / nginx = %.2f×**\n\n", ratio));
                verdicts.add(verdict("throughput gateway/nginx", ratio, TARGET_THROUGHPUT_RATIO, false, "×"));
                String cpu = tp.getProperty("gateway.cpu.proxy_us_per_req");
                if (cpu != null) {
                    verdicts.add(verdict("gateway CPU per request at the throughput limit", Double.parseDouble(cpu),
                            TARGET_CPU_PER_REQUEST_US, true, " µs"));
                }
                verdicts.add(verdict("usage records spooled at the throughput limit", spooledTp, 0, true, ""));
            }
        }

        // ---- streams
        if (!st.isEmpty()) {
            s.append("#### Streaming (closed loop: each connection starts its next stream when one ends; simulator TTFT "
                    + "50 ms, 100 tokens/s, ").append(st.getProperty("tokens")).append(" tokens; ")
                    .append(st.getProperty("seconds")).append(" s)\n\n");
            s.append("| path | streams/s | TTFT p50 | TTFT p99 | stream p50 | stream p99 | errors | gateway CPU | "
                    + "gateway CPU per stream / per frame | gateway bytes allocated per stream / per frame | "
                    + "simulators CPU | machine busy |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            List<String[]> rows = new ArrayList<>();
            for (String t : new String[] {"direct", "gateway"}) {
                rows.add(new String[] {t, st.getProperty("concurrency") + " concurrent, " + t});
            }
            for (String c : st.getProperty("extra_levels", "").split(",")) {
                if (!c.isBlank()) {
                    for (String t : new String[] {"direct", "gateway"}) {
                        rows.add(new String[] {"c" + c.trim() + "." + t, c.trim() + " concurrent, " + t + " ("
                                + st.getProperty("extra_seconds") + " s)"});
                    }
                }
            }
            for (String[] row : rows) {
                String t = row[0];
                if (st.getProperty(t + ".ttft_p50_us") == null) {
                    continue;
                }
                boolean gw = t.endsWith("gateway");
                s.append(String.format(Locale.ROOT, "| %s | %s | %.2f ms | %.2f ms | %.1f ms | %.1f ms | %s | %s%% | "
                                + "%s | %s | %s%% | %s%% |\n", row[1],
                        st.getProperty(t + ".streams_per_s"), ms(st, t + ".ttft_p50_us"), ms(st, t + ".ttft_p99_us"),
                        ms(st, t + ".p50_us"), ms(st, t + ".p99_us"), st.getProperty(t + ".errors"),
                        st.getProperty(t + ".cpu.gateway_pct", "?"),
                        gw ? st.getProperty(t + ".cpu.gateway_us_per_req", "?") + " µs / "
                                + st.getProperty(t + ".cpu.gateway_us_per_frame", "?") + " µs" : "—",
                        gw ? bytes(st.getProperty(t + ".alloc_bytes_per_stream")) + " / "
                                + bytes(st.getProperty(t + ".alloc_bytes_per_frame")) : "—",
                        st.getProperty(t + ".cpu.simulators_pct", "?"),
                        st.getProperty(t + ".machine_busy_pct", "?")));
            }
            s.append("\nA frame is one SSE `data:` event the client received (one per token, plus the stream's first "
                    + "and last few); per-frame figures divide the window's CPU time or allocation by the frames "
                    + "received in it.");
            if (st.getProperty("gateway.ttft_p50_us") != null && st.getProperty("direct.ttft_p50_us") != null) {
                double addedTtft = ms(st, "gateway.ttft_p50_us") - ms(st, "direct.ttft_p50_us");
                s.append(String.format(Locale.ROOT, " Added TTFT (gateway − direct): p50 %+.2f ms, p99 %+.2f ms.",
                        addedTtft, ms(st, "gateway.ttft_p99_us") - ms(st, "direct.ttft_p99_us")));
                verdicts.add(verdict("added TTFT p50 at " + st.getProperty("concurrency") + " concurrent streams",
                        addedTtft, TARGET_ADDED_TTFT_MS, true, " ms"));
                String perFrame = st.getProperty("gateway.cpu.gateway_us_per_frame");
                if (perFrame != null) {
                    verdicts.add(verdict("gateway CPU per streamed token frame (" + st.getProperty("concurrency")
                            + " concurrent streams)", Double.parseDouble(perFrame), TARGET_CPU_PER_FRAME_US, true, " µs"));
                }
                for (String c : st.getProperty("extra_levels", "").split(",")) {
                    String g = "c" + c.trim() + ".gateway.";
                    String d = "c" + c.trim() + ".direct.";
                    if (!c.isBlank() && st.getProperty(g + "ttft_p50_us") != null) {
                        s.append(String.format(Locale.ROOT, " At %s concurrent: p50 %+.2f ms, p99 %+.2f ms.", c.trim(),
                                ms(st, g + "ttft_p50_us") - ms(st, d + "ttft_p50_us"),
                                ms(st, g + "ttft_p99_us") - ms(st, d + "ttft_p99_us")));
                    }
                }
            }
            if (st.getProperty("gateway.heap_max_mb") != null) {
                s.append(" Gateway heap used (`jvm_memory_used_bytes{area=\"heap\"}`): ")
                        .append(st.getProperty("gateway.heap_before_mb")).append(" MB before, max ")
                        .append(st.getProperty("gateway.heap_max_mb")).append(" MB during, ")
                        .append(st.getProperty("gateway.heap_end_mb")).append(" MB at the end");
                if (st.getProperty("gateway.rss_max_mb") != null) {
                    s.append("; process RSS max ").append(st.getProperty("gateway.rss_max_mb")).append(" MB");
                }
                s.append('.');
                if (st.getProperty("gateway.usage_queue_max") != null) {
                    s.append(" Usage queue max ").append(st.getProperty("gateway.usage_queue_max"))
                            .append(" records, ").append(st.getProperty("gateway.usage_spooled")).append(" spooled.");
                }
            }
            s.append("\n\n");
        }

        if (!slow.isEmpty()) {
            slowStreams(s, slow, verdicts);
        }
        ledger(s, load(dir.resolve("ledger.properties")), verdicts);

        if (!verdicts.isEmpty()) {
            s.append("#### Targets\n\n");
            verdicts.forEach(v -> s.append("- ").append(v).append('\n'));
            s.append('\n');
        }
        return s.toString();
    }

    private static void slowStreams(StringBuilder s, Properties p, List<String> verdicts) {
        String n = p.getProperty("streams");
        String requested = p.getProperty("requested");
        s.append("#### Slow streams").append("direct".equals(p.getProperty("target")) ? ", straight to the simulators "
                + "(BENCH_SLOW_TARGET=direct; gateway figures do not apply)" : "").append(" (").append(requested)
                .append(" asked for, ").append(n).append(" run; each at ")
                .append(p.getProperty("tps")).append(" tokens/s for up to ").append(p.getProperty("tokens"))
                .append(" tokens; opened over ").append(p.getProperty("ramp_seconds")).append(" s, then ")
                .append(p.getProperty("settle_seconds")).append(" s settle and a ").append(p.getProperty("window_seconds"))
                .append(" s window)\n\n");
        if (!n.equals(requested)) {
            s.append("Fewer than asked because of ").append(p.getProperty("limit_reason")).append(".\n\n");
        }
        s.append("| streams | value |\n|---|---:|\n");
        row(s, "connected / request sent", p.getProperty("connected") + " / " + p.getProperty("sent"));
        row(s, "streaming (first token seen, not ended): peak", p.getProperty("peak_open"));
        row(s, "streaming at window start / least in window / at window end", p.getProperty("open_window_start")
                + " / " + p.getProperty("open_window_min") + " / " + p.getProperty("open_window_end"));
        row(s, "connections held at window end (request sent, no error, not ended)", p.getProperty("held_window_end"));
        row(s, "errors", p.getProperty("errors") + " " + p.getProperty("error_kinds"));
        row(s, "ended before the window's end (whole answer received)", p.getProperty("ended_early"));
        row(s, "first token received (of " + n + ")", p.getProperty("ttft_count"));
        row(s, "TTFT p50 / p99 / max", String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms", ms(p, "ttft_p50_us"),
                ms(p, "ttft_p99_us"), ms(p, "ttft_max_us")));
        row(s, "frames/s received in the window / offered (streaming × tokens/s)", p.getProperty("frames_per_s")
                + " / " + p.getProperty("offered_frames_per_s"));
        row(s, "gap between a stream's frames p50 / p99 / max", String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms",
                ms(p, "gap_p50_us"), ms(p, "gap_p99_us"), ms(p, "gap_max_us")));
        row(s, "gateway CPU (window) / per frame", p.getProperty("cpu.gateway_pct", "?") + "% / "
                + p.getProperty("cpu.gateway_us_per_frame", "?") + " µs");
        row(s, "simulators CPU / generator CPU / machine busy", p.getProperty("cpu.simulators_pct", "?") + "% / "
                + p.getProperty("cpu.generator_pct", "?") + "% / " + p.getProperty("machine_busy_pct", "?") + "%");
        row(s, "gateway bytes allocated per frame / per stream-second", bytes(p.getProperty("alloc_bytes_per_frame"))
                + " / " + bytes(p.getProperty("alloc_bytes_per_stream_s")));
        row(s, "gateway heap used: before / max / " + p.getProperty("after_seconds", "?") + " s after closing (limit "
                + p.getProperty("heap_limit", "?") + ")", p.getProperty("heap_before_mb") + " / "
                + p.getProperty("heap_max_mb") + " / " + p.getProperty("heap_after_mb") + " MB");
        row(s, "gateway live data after GC, max / RSS max", p.getProperty("live_max_mb") + " / "
                + p.getProperty("rss_max_mb") + " MB");
        row(s, "gateway open files: before / max / after closing", p.getProperty("fds_before") + " / "
                + p.getProperty("fds_max") + " / " + p.getProperty("fds_after"));
        row(s, "usage records spooled so far (the whole run)", p.getProperty("usage_spooled_total", "?"));
        s.append("\nEvery connection is closed at the end of the window (the gateway sees its clients go away mid-"
                + "stream). Allocation per frame is taken between the first and last of the gateway's /metrics "
                + "answers inside the ").append(p.getProperty("alloc_span", "window")).append(" (")
                .append(p.getProperty("alloc_probes", "?")).append(" answers over ")
                .append(p.getProperty("alloc_seconds", "?")).append(" s; \"?\" when fewer than two came back), each "
                + "paired with the frames received when it arrived.\n\n");
        int held = Integer.parseInt(p.getProperty("open_window_min", "0"));
        long errors = Long.parseLong(p.getProperty("errors", "0"));
        double heap = Double.parseDouble(p.getProperty("heap_max_mb", "NaN"));
        boolean met = held >= TARGET_SLOW_STREAMS && errors == 0 && heap <= TARGET_SLOW_HEAP_MB;
        verdicts.add(String.format(Locale.ROOT, "slow streams held (20 tokens/s): %d streaming through the whole window "
                        + "(of %s run, %s asked for), %d errors, heap max %.0f MB (target %,d with heap ≤ 1 GiB, no error) — %s",
                held, n, requested, errors, heap, TARGET_SLOW_STREAMS, met ? "**met**" : "**missed**"
                        + (n.equals(requested) ? "" : " (the open-files limit allows " + n + ")")));
    }

    private static void row(StringBuilder s, String what, String value) {
        s.append("| ").append(what).append(" | ").append(value).append(" |\n");
    }

    /** A byte count for a table cell: {@code 12.3 KB}, or {@code ?} when not measured. */
    private static String bytes(String v) {
        if (v == null || v.isBlank()) {
            return "?";
        }
        double b = Double.parseDouble(v);
        return b >= 10_000 ? String.format(Locale.ROOT, "%.1f KB", b / 1024) : String.format(Locale.ROOT, "%.0f B", b);
    }

    /** The usage ledger alone ({@link LedgerBench}): saturated records/s and spooling at a fixed rate. */
    private static void ledger(StringBuilder s, Properties l, List<String> verdicts) {
        if (l.getProperty("saturated.records_per_s") == null) {
            return;
        }
        s.append("#### Usage ledger (the real UsageLedger + UsageStore alone on a fresh database; ")
                .append(l.getProperty("keys")).append(" API keys; queue ").append(l.getProperty("queue_capacity"))
                .append(", batch ").append(l.getProperty("batch_size")).append(", flush ")
                .append(l.getProperty("flush_interval_ms")).append(" ms)\n\n");
        s.append("| run | records/s written | spooled | writer thread CPU per record | ledger process CPU per record | "
                + "PostgreSQL backend CPU per record | PostgreSQL backend CPU | machine busy |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        String[][] rows = {{"saturated.", "saturated (queue kept full), " + l.getProperty("seconds") + " s after "
                + l.getProperty("warmup") + " s warm-up", l.getProperty("saturated.records_per_s")},
                {"open.", "open loop at " + l.getProperty("open.rate") + " records/s, " + l.getProperty("open.seconds")
                        + " s", l.getProperty("open.rate")}};
        for (String[] r : rows) {
            if (l.getProperty(r[0] + "spooled") == null) {
                continue;
            }
            s.append("| ").append(r[1]).append(" | ").append(r[2]).append(" | ").append(l.getProperty(r[0] + "spooled"))
                    .append(" | ").append(l.getProperty(r[0] + "cpu.writer_us_per_record", "?")).append(" µs | ")
                    .append(l.getProperty(r[0] + "cpu.process_us_per_record", "?")).append(" µs | ")
                    .append(l.getProperty(r[0] + "cpu.postgres_backends_us_per_record", "?")).append(" µs | ")
                    .append(l.getProperty(r[0] + "cpu.postgres_backends_pct", "?")).append("% | ")
                    .append(l.getProperty(r[0] + "machine_busy_pct", "?")).append("% |\n");
        }
        s.append("\nAfterwards PostgreSQL held ").append(l.getProperty("rows.request_logs")).append(" request-log rows for ")
                .append(l.getProperty("total.offered")).append(" records offered (").append(l.getProperty("total.written"))
                .append(" written by the ledger's count) and ").append(l.getProperty("rows.usage_events"))
                .append(" usage events for ").append(l.getProperty("rows.usage_events_expected")).append(" served: ")
                .append("true".equals(l.getProperty("verified")) ? "consistent" : "**MISMATCH**")
                .append(". PostgreSQL's shared background processes (WAL writer, checkpointer) used another ")
                .append(l.getProperty("saturated.cpu.postgres_background_us_per_record", "?"))
                .append(" µs per record while saturated.\n\n");
        if (l.getProperty("journal.none.cpu_us_per_record") != null) {
            s.append("Handing a finished request's record over, on the request thread (8 threads calling "
                    + "`UsageLedger.record` with a sink that discards; CPU and bytes from the calling threads' own "
                    + "counters). The first row is the hand-over before the crash-proof journal: an offer to the "
                    + "queue.\n\n| `usage.journal-fsync` | records/s | CPU per record | bytes allocated per record "
                    + "| p50 | p99 |\n|---|---:|---:|---:|---:|---:|\n");
            for (String policy : List.of("queue", "none", "interval", "always")) {
                String p = "journal." + policy + ".";
                s.append("| ").append(policy.equals("queue") ? "(no journal: queue only)" : "`" + policy + "`")
                        .append(" | ").append(l.getProperty(p + "records_per_s")).append(" | ")
                        .append(l.getProperty(p + "cpu_us_per_record")).append(" µs | ")
                        .append(l.getProperty(p + "alloc_bytes_per_record")).append(" B | ")
                        .append(l.getProperty(p + "p50_us")).append(" µs | ").append(l.getProperty(p + "p99_us"))
                        .append(" µs |\n");
            }
            s.append('\n');
        }
        verdicts.add(verdict("usage ledger records/s", Double.parseDouble(l.getProperty("saturated.records_per_s")),
                TARGET_LEDGER_RECORDS_PER_S, false, " records/s"));
        if (l.getProperty("open.spooled") != null) {
            long spooled = Long.parseLong(l.getProperty("open.spooled"));
            verdicts.add("usage records spooled at " + l.getProperty("open.rate") + " records/s: " + spooled
                    + " (target 0) — " + (spooled == 0 ? "**met**" : "**missed**"));
        }
        if (!"true".equals(l.getProperty("verified"))) {
            verdicts.add("usage ledger rows in PostgreSQL differ from the records offered — **missed**");
        }
    }

    private static String verdict(String what, double value, double target, boolean atMost, String unit) {
        boolean met = atMost ? value <= target : value >= target;
        String fmt = unit.equals(" ms") ? "%.3f" : unit.isEmpty() ? "%.0f" : unit.equals(" µs") ? "%.1f"
                : unit.equals(" records/s") ? "%,.0f" : "%.2f";
        String v = String.format(Locale.ROOT, fmt, value) + unit;
        String t = (atMost ? "≤ " : "≥ ") + String.format(Locale.ROOT, fmt, target) + unit;
        String by = String.format(Locale.ROOT, fmt, Math.abs(value - target)) + unit;
        return what + ": " + v + " (target " + t + ") — " + (met ? "**met**" : "**missed** by " + by);
    }

    private static double ms(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? Double.NaN : Double.parseDouble(v) / 1000.0;
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
        }
        return p;
    }
}
