package ai.cortensor.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/** Where CPU time goes in a JFR recording: top methods by own (self) samples and by samples on the stack. */
final class JfrTop {
    private JfrTop() {
    }

    static void print(Path file, int top) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> packages = new HashMap<>();
        Map<String, Integer> callSites = new HashMap<>();
        Map<String, Integer> allocSites = new HashMap<>();
        long allocTotal = 0;
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("jdk.ObjectAllocationSample") && e.getStackTrace() != null
                    && !e.getStackTrace().getFrames().isEmpty()) {
                long weight = e.getLong("weight");
                allocTotal += weight;
                String site = callSite(e.getStackTrace().getFrames()) + "  [" + e.getClass("objectClass").getName() + "]";
                allocSites.merge(site, (int) Math.min(Integer.MAX_VALUE, weight / 1024), Integer::sum);
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            self.merge(name(frames.get(0).getMethod()), 1, Integer::sum);
            packages.merge(bucket(frames.get(0).getMethod()), 1, Integer::sum);
            callSites.merge(callSite(frames), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f.getMethod());
                if (seen.add(n)) {
                    inclusive.merge(n, 1, Integer::sum);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d execution samples in %s%n", samples, file);
        table("self time by package", packages, samples, top);
        table("by the innermost portal frame -> what it called (where portal code spends its time)", callSites,
                samples, top);
        table("self time (top frame)", self, samples, top);
        if (allocTotal > 0) {
            System.out.printf(Locale.ROOT, "%n%d MB allocated (sampled weight)%n", allocTotal >> 20);
            table("allocation by innermost portal frame -> callee [class] (KB)", allocSites, (int) (allocTotal >> 10), top);
        }
        table("on the stack (inclusive)", inclusive, samples, top);
    }

    private static void table(String title, Map<String, Integer> counts, int total, int top) {
        System.out.printf("%n== %s ==%n", title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "%6.1f%%  %6d  %s%n", 100.0 * en.getValue() / total,
                        en.getValue(), en.getKey()));
    }

    /** The innermost {@code ai.cortensor} frame and the frame it called, or the outermost library entry point. */
    private static String callSite(List<RecordedFrame> frames) {
        for (int i = 0; i < frames.size(); i++) {
            RecordedMethod m = frames.get(i).getMethod();
            if (m != null && m.getType().getName().startsWith("ai.cortensor.")) {
                String here = shortName(m) + ":" + frames.get(i).getLineNumber();
                return i == 0 ? here + " (own code)" : here + " -> " + name(frames.get(i - 1).getMethod());
            }
        }
        // no portal frame: name the outermost non-JDK frame (the library loop that was running)
        for (int i = frames.size() - 1; i >= 0; i--) {
            RecordedMethod m = frames.get(i).getMethod();
            String n = m == null ? "?" : m.getType().getName();
            if (!n.startsWith("java.") && !n.startsWith("jdk.") && !n.startsWith("sun.")) {
                return "(outside portal code) " + name(m);
            }
        }
        return "(JDK only) " + name(frames.get(0).getMethod());
    }

    private static String shortName(RecordedMethod m) {
        String t = m.getType().getName();
        return t.substring(t.lastIndexOf('.') + 1) + "." + m.getName();
    }

    private static String name(RecordedMethod m) {
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }

    /** The first three package segments of the top frame's class: where the time is spent, coarsely. */
    private static String bucket(RecordedMethod m) {
        if (m == null) {
            return "?";
        }
        String[] parts = m.getType().getName().split("\\.");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(3, parts.length - 1); i++) {
            b.append(i == 0 ? "" : ".").append(parts[i]);
        }
        return b.toString();
    }
}
