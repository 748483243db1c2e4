package ai.cortensor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time of named process groups (from {@code /proc/<pid>/stat}) and of the whole machine ({@code /proc/stat})
 * over a measured run, so a result can say how much CPU each part used per request and how busy the machine was.
 * Linux only; elsewhere it reports nothing.
 */
final class CpuMeter {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private final Map<String, List<String>> groups = new LinkedHashMap<>();
    private Map<String, Long> startTicks;
    private long[] startMachine;
    private long startNanos;

    /** {@code name=pid[+pid...],name=pid...}, e.g. {@code gateway=123,simulators=45+67}; null or blank: none. */
    CpuMeter(String spec) {
        groups.put("generator", List.of(Long.toString(ProcessHandle.current().pid())));
        if (spec == null || spec.isBlank() || spec.equals("true")) {
            return;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2) {
                groups.put(kv[0].trim(), List.of(kv[1].trim().split("\\+")));
            }
        }
    }

    void start() {
        startTicks = snapshot();
        startMachine = machine();
        startNanos = System.nanoTime();
    }

    /** Totals over several start/stop slices, per key (e.g. one per target), for {@link #put}. */
    private final Map<String, long[]> totals = new LinkedHashMap<>(); // key -> [nanos, machine busy, machine total]
    private final Map<String, Map<String, Long>> groupTotals = new LinkedHashMap<>();

    /** Ends a slice started by {@link #start} and adds it to {@code key}'s totals. */
    void accumulate(String key) {
        if (startTicks == null) {
            return;
        }
        long nanos = System.nanoTime() - startNanos;
        Map<String, Long> end = snapshot();
        Map<String, Long> g = groupTotals.computeIfAbsent(key, k -> new LinkedHashMap<>());
        end.forEach((name, t) -> g.merge(name, t - startTicks.getOrDefault(name, t), Long::sum));
        long[] m = machine();
        long[] tot = totals.computeIfAbsent(key, k -> new long[3]);
        tot[0] += nanos;
        if (m != null && startMachine != null) {
            tot[1] += m[0] - startMachine[0];
            tot[2] += m[1] - startMachine[1];
        }
    }

    /** Writes {@code key}'s accumulated totals like {@link #stop} does for one slice. */
    void put(Map<String, String> out, String prefix, String key, long requests) {
        long[] tot = totals.get(key);
        if (tot == null || tot[0] == 0) {
            return;
        }
        double seconds = tot[0] / 1e9;
        groupTotals.get(key).forEach((name, ticks) -> {
            double cpuSeconds = ticks / TICKS_PER_SECOND;
            out.put(prefix + "cpu." + name + "_pct", String.format(Locale.ROOT, "%.0f", 100 * cpuSeconds / seconds));
            if (requests > 0) {
                out.put(prefix + "cpu." + name + "_us_per_req",
                        String.format(Locale.ROOT, "%.0f", cpuSeconds * 1e6 / requests));
            }
        });
        if (tot[2] > 0) {
            out.put(prefix + "machine_busy_pct", String.format(Locale.ROOT, "%.0f", 100.0 * tot[1] / tot[2]));
        }
    }

    /** Puts {@code <prefix>cpu.<group>_pct} (% of one CPU), {@code _us_per_req} and {@code <prefix>machine_busy_pct}. */
    void stop(Map<String, String> out, String prefix, long requests) {
        if (startTicks == null) {
            return;
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Long> end = snapshot();
        lastCpuSeconds.clear();
        for (var e : end.entrySet()) {
            long ticks = e.getValue() - startTicks.getOrDefault(e.getKey(), e.getValue());
            double cpuSeconds = ticks / TICKS_PER_SECOND;
            lastCpuSeconds.put(e.getKey(), cpuSeconds);
            out.put(prefix + "cpu." + e.getKey() + "_pct", String.format(Locale.ROOT, "%.0f", 100 * cpuSeconds / seconds));
            if (requests > 0) {
                out.put(prefix + "cpu." + e.getKey() + "_us_per_req",
                        String.format(Locale.ROOT, "%.0f", cpuSeconds * 1e6 / requests));
            }
        }
        long[] m = machine();
        if (m != null && startMachine != null && m[1] > startMachine[1]) {
            out.put(prefix + "machine_busy_pct", String.format(Locale.ROOT, "%.0f",
                    100.0 * (m[0] - startMachine[0]) / (m[1] - startMachine[1])));
        }
    }

    private final Map<String, Double> lastCpuSeconds = new LinkedHashMap<>();

    /**
     * After {@link #stop}: puts {@code <prefix>cpu.<group>_us_per_<unit>} for every group, the CPU time of that
     * slice divided by {@code count} (e.g. stream frames).
     */
    void perUnit(Map<String, String> out, String prefix, String unit, long count) {
        if (count <= 0) {
            return;
        }
        lastCpuSeconds.forEach((name, cpuSeconds) -> out.put(prefix + "cpu." + name + "_us_per_" + unit,
                String.format(Locale.ROOT, cpuSeconds * 1e6 / count < 100 ? "%.1f" : "%.0f", cpuSeconds * 1e6 / count)));
    }

    private Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        groups.forEach((name, pids) -> m.put(name, pids.stream().mapToLong(CpuMeter::ticks).sum()));
        return m;
    }

    /** utime + stime of a process, in clock ticks; 0 when it cannot be read. */
    static long ticks(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** {busy, total} jiffies of all CPUs, or null. */
    static long[] machine() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long total = 0;
                    for (int i = 1; i < f.length && i <= 8; i++) {
                        total += Long.parseLong(f[i]);
                    }
                    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                    return new long[] {total - idle, total};
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return null;
    }
}
