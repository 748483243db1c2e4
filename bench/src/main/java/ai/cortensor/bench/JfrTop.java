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
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
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
        table("self time (top frame)", self, samples, top);
        table("on the stack (inclusive)", inclusive, samples, top);
    }

    private static void table(String title, Map<String, Integer> counts, int total, int top) {
        System.out.printf("%n== %s ==%n", title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "%6.1f%%  %6d  %s%n", 100.0 * en.getValue() / total,
                        en.getValue(), en.getKey()));
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
