package ai.cortensor.routersim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Mutable, contention-friendly counters behind {@link SimStats}. */
final class SimCounters {

    static final int BODIES_KEPT = 20;

    final LongAdder completions = new LongAdder();
    final LongAdder failuresInjected = new LongAdder();
    final LongAdder streamsStarted = new LongAdder();
    /** Streams abandoned because writing to the client failed (client went away); not part of {@link SimStats}. */
    final LongAdder clientDisconnects = new LongAdder();
    /** A gauge: never reset. */
    final AtomicInteger inFlight = new AtomicInteger();

    private final byte[][] bodies = new byte[BODIES_KEPT][];
    private long bodiesSeen;

    /** Keeps a reference to {@code body}; callers must not modify it afterwards. */
    void recordBody(byte[] body) {
        synchronized (bodies) {
            bodies[(int) (bodiesSeen++ % BODIES_KEPT)] = body;
        }
    }

    SimStats snapshot() {
        List<String> last = new ArrayList<>(BODIES_KEPT);
        synchronized (bodies) {
            long from = Math.max(0, bodiesSeen - BODIES_KEPT);
            for (long i = from; i < bodiesSeen; i++) {
                last.add(new String(bodies[(int) (i % BODIES_KEPT)], StandardCharsets.UTF_8));
            }
        }
        return new SimStats(completions.sum(), failuresInjected.sum(), inFlight.get(), streamsStarted.sum(), last);
    }

    void reset() {
        completions.reset();
        failuresInjected.reset();
        streamsStarted.reset();
        clientDisconnects.reset();
        synchronized (bodies) {
            Arrays.fill(bodies, null);
            bodiesSeen = 0;
        }
    }
}
