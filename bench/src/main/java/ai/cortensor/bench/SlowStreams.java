package ai.cortensor.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The slow-streams phase: {@code --streams} streams through the gateway held open at once, each paced by the
 * simulators at {@code --tps} tokens/s (set by {@code bench/run.sh} through {@code PUT /_sim/behavior}) and long
 * enough ({@code --tokens}) to outlast the ramp and the window. The load generator opens the connections evenly over
 * {@code --ramp} seconds, sending each stream's request as soon as its connection is up, waits {@code --settle}
 * seconds, then measures for {@code --seconds}: streams open (first token seen, not ended) at the start, the end
 * and the least in between; SSE events received and the gaps between a stream's events; the gateway's CPU and
 * allocation per event. Heap, live data, RSS and open files of the gateway are sampled every second from the start
 * of the ramp to the end of the window; then every connection is closed at once (the gateway sees 10,000 clients
 * go away mid-stream) and, {@code --after} seconds later, heap and open files are read again.
 */
final class SlowStreams {

    private SlowStreams() {
    }

    static void run(Map<String, String> o) throws Exception {
        int streams = Integer.parseInt(BenchMain.req(o, "streams"));
        int requested = Integer.parseInt(o.getOrDefault("requested", Integer.toString(streams)));
        double tps = Double.parseDouble(o.getOrDefault("tps", "20"));
        int tokens = Integer.parseInt(o.getOrDefault("tokens", "2000"));
        double ramp = Double.parseDouble(o.getOrDefault("ramp", "20"));
        double settle = Double.parseDouble(o.getOrDefault("settle", "5"));
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "40"));
        double after = Double.parseDouble(o.getOrDefault("after", "10"));
        // --direct URL[,URL] --direct-key K instead of --gateway: the same streams straight to the simulators (a
        // baseline: what the simulators and the load generator alone can hold on this machine)
        boolean direct = o.containsKey("direct");
        List<Endpoint> gateway = direct
                ? BenchMain.endpoints(o.get("direct"), BenchMain.req(o, "direct-key"), BenchMain.body("direct", true, tokens), true)
                : BenchMain.endpoints(BenchMain.req(o, "gateway"), BenchMain.req(o, "gateway-key"),
                        BenchMain.body("gateway", true, tokens), true);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("target", direct ? "direct" : "gateway");
        out.put("requested", Integer.toString(requested));
        out.put("streams", Integer.toString(streams));
        out.put("limit_reason", o.getOrDefault("limit-reason", ""));
        out.put("tps", BenchMain.fmt(tps));
        out.put("tokens", Integer.toString(tokens));
        out.put("ramp_seconds_planned", BenchMain.fmt(ramp));
        out.put("settle_seconds", BenchMain.fmt(settle));
        CpuMeter cpu = new CpuMeter(o.get("cpu"));
        BenchMain.ServerSampler server = o.containsKey("metrics")
                ? new BenchMain.ServerSampler(o.get("metrics"), o.get("pid")) : null;
        if (server != null) {
            server.awaitUsageDrained();
            Map<String, Double> m = server.scrapeQuietly();
            out.put("heap_before_mb", mb(m.getOrDefault("heap", 0.0)));
            out.put("fds_before", Long.toString(server.fds()));
            server.mark(); // learns what a scrape allocates while the gateway is still quiet
        }
        BenchMain.log("slow streams: %d (of %d requested) " + (direct ? "straight to the simulators" : "through the gateway") + " at %.0f tokens/s each, opened over %.0f s, "
                + "then %.0f s settle and a %.0f s window", streams, requested, tps, ramp, settle, seconds);
        LoadEngine.Hold h;
        try (LoadEngine gw = new LoadEngine(gateway, 0, BenchMain.FIRST_TOKEN)) {
            if (server != null) {
                // the sampling thread reads the gateway's allocation counter with the frames received so far, so
                // a scrape answered late (seconds, under this load) still pairs the right bytes with the right frames
                server.probeOutside = gw::framesTotal;
                server.start(false);
            }
            gw.holdOpen(streams, ramp, settle);
            BenchMain.log("slow streams: %d connected, %d open (first token seen) after the ramp and settle, errors %s",
                    gw.hold().connected, gw.hold().open, gw.hold().result.errors);
            long windowStart = System.nanoTime();
            cpu.start();
            h = gw.holdWindow(seconds);
            cpu.stop(out, "", 0);
            cpu.perUnit(out, "", "frame", h.result.frames);
            long windowEnd = System.nanoTime();
            if (server != null) {
                server.stop(false);
                // between the first and last of the sampler's readings inside the window
                double[] a = server.allocatedPerOutside(windowStart, windowEnd);
                out.put("alloc_probes", Long.toString(server.probes.stream()
                        .filter(p -> p.nanos() >= windowStart && p.nanos() <= windowEnd).count()));
                out.put("alloc_span", "window");
                if (a == null || a[1] <= 0) {
                    // too few answers inside the window: the widest pair from the ramp on (includes opening streams)
                    a = server.allocatedPerOutside(Long.MIN_VALUE, Long.MAX_VALUE);
                    out.put("alloc_probes", Integer.toString(server.probes.size()));
                    out.put("alloc_span", "ramp, settle and window");
                }
                if (a != null && a[1] > 0 && a[2] > 0) {
                    out.put("alloc_bytes_per_frame", String.format(Locale.ROOT, "%.0f", a[0] / a[1]));
                    out.put("alloc_seconds", BenchMain.fmt(a[2]));
                    double streamSeconds = (h.openAtWindowStart + h.openAtWindowEnd) / 2.0 * a[2];
                    if (streamSeconds > 0) {
                        out.put("alloc_bytes_per_stream_s", String.format(Locale.ROOT, "%.0f", a[0] / streamSeconds));
                    }
                    out.put("alloc_mb_per_s", BenchMain.fmt(a[0] / a[2] / 1048576.0));
                }
                out.put("heap_max_mb", mb(server.maxHeap.get()));
                out.put("live_max_mb", mb(server.maxLive.get()));
                out.put("rss_max_mb", mb(server.maxRss.get()));
                out.put("fds_max", Long.toString(server.maxFds.get()));
            }
            gw.holdClose();
        }
        Histogram ttft = h.result.ttft;
        out.put("ramp_seconds", BenchMain.fmt(h.rampSeconds));
        out.put("window_seconds", BenchMain.fmt(h.windowSeconds));
        out.put("connected", Integer.toString(h.connected));
        out.put("sent", Integer.toString(h.requestsSent));
        out.put("peak_open", Integer.toString(h.peakOpen));
        out.put("open_window_start", Integer.toString(h.openAtWindowStart));
        out.put("open_window_end", Integer.toString(h.openAtWindowEnd));
        out.put("held_window_end", Integer.toString(h.heldAtWindowEnd));
        out.put("open_window_min", Integer.toString(h.minOpenInWindow == Integer.MAX_VALUE ? 0 : h.minOpenInWindow));
        out.put("ended_early", Long.toString(h.ended));
        out.put("errors", Long.toString(h.result.errorCount()));
        out.put("error_kinds", h.result.errors.toString());
        out.put("ttft_count", Long.toString(ttft.getTotalCount()));
        out.put("ttft_p50_us", BenchMain.us(ttft.getValueAtPercentile(50)));
        out.put("ttft_p99_us", BenchMain.us(ttft.getValueAtPercentile(99)));
        out.put("ttft_max_us", BenchMain.us(ttft.getMaxValue()));
        out.put("frames", Long.toString(h.result.frames));
        out.put("frames_per_s", String.format(Locale.ROOT, "%.0f", h.result.frames / h.windowSeconds));
        out.put("offered_frames_per_s", String.format(Locale.ROOT, "%.0f",
                (h.openAtWindowStart + h.openAtWindowEnd) / 2.0 * tps));
        out.put("gap_p50_us", BenchMain.us(h.gaps.getValueAtPercentile(50)));
        out.put("gap_p99_us", BenchMain.us(h.gaps.getValueAtPercentile(99)));
        out.put("gap_max_us", BenchMain.us(h.gaps.getMaxValue()));
        if (server != null) {
            Thread.sleep((long) (after * 1000));
            Map<String, Double> m = server.scrapeQuietly();
            out.put("heap_after_mb", mb(m.getOrDefault("heap", 0.0)));
            out.put("usage_spooled_total", BenchMain.fmt(m.getOrDefault("portal_usage_records_spooled_total", 0.0)));
            out.put("fds_after", Long.toString(server.fds()));
            out.put("after_seconds", BenchMain.fmt(after));
        }
        BenchMain.log("slow streams: %s requested, %s connections held at the end (streaming: peak %s; window start/min/end %s/%s/%s), "
                        + "errors %s %s, first token for %s, TTFT p50 %s p99 %s ms, "
                        + "%s frames/s of %s offered, gap p50/p99/max %s/%s/%s ms, heap max %s MB (live %s), RSS max %s MB, "
                        + "fds max %s (%s after), gateway CPU %s%% = %s µs/frame, %s B allocated/frame",
                out.get("streams"), out.get("held_window_end"), out.get("peak_open"), out.get("open_window_start"), out.get("open_window_min"),
                out.get("open_window_end"), out.get("errors"), out.get("error_kinds"), out.get("ttft_count"), BenchMain.ms(ttft, 50),
                BenchMain.ms(ttft, 99), out.get("frames_per_s"), out.get("offered_frames_per_s"),
                BenchMain.ms(h.gaps, 50), BenchMain.ms(h.gaps, 99), BenchMain.ms(h.gaps.getMaxValue()),
                out.get("heap_max_mb"), out.get("live_max_mb"), out.get("rss_max_mb"), out.get("fds_max"),
                out.get("fds_after"), out.get("cpu.gateway_pct"), out.get("cpu.gateway_us_per_frame"),
                out.get("alloc_bytes_per_frame"));
        BenchMain.writeProps(Path.of(BenchMain.req(o, "out")), out);
    }

    private static String mb(double bytes) {
        return BenchMain.fmt(bytes / 1048576.0);
    }
}
