package ai.cortensor.bench.jmh;

import ai.cortensor.portal.plans.Admission;
import ai.cortensor.portal.plans.Limit;
import ai.cortensor.portal.plans.LimitKind;
import ai.cortensor.portal.plans.Limiter;
import ai.cortensor.portal.plans.LocalLimiter;
import ai.cortensor.portal.plans.RedisLimiter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of one admission check-and-reserve plus its settlement, with five limits (rpm, tpm, short window, weekly
 * requests, weekly tokens) on one account: in process, and through Redis (one round trip each way). Limits are high
 * enough never to reject, so every iteration does the full admit + settle path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdmissionBenchmark {
    @Param({"local"})
    public String limiter;

    private Limiter target;
    private List<Limit> limits;
    private long now = 1_800_000_000_000L;

    @Setup(Level.Trial)
    public void setUp() {
        target = switch (limiter) {
            case "redis" -> new RedisLimiter(System.getProperty("redis.url", "redis://127.0.0.1:6379"),
                    "bench-" + UUID.randomUUID(), "closed", new LocalLimiter(), new SimpleMeterRegistry());
            default -> new LocalLimiter();
        };
        String account = "u1";
        long big = Long.MAX_VALUE / 8;
        limits = List.of(
                new Limit(Limit.Scope.ACCOUNT, account, LimitKind.REQUESTS_PER_MINUTE, big, Duration.ofMinutes(1)),
                new Limit(Limit.Scope.ACCOUNT, account, LimitKind.TOKENS_PER_MINUTE, big, Duration.ofMinutes(1)),
                new Limit(Limit.Scope.ACCOUNT, account, LimitKind.SHORT_WINDOW_REQUESTS, big, Duration.ofMinutes(5)),
                new Limit(Limit.Scope.ACCOUNT, account, LimitKind.WEEKLY_REQUESTS, big, Duration.ofDays(7)),
                new Limit(Limit.Scope.ACCOUNT, account, LimitKind.WEEKLY_TOKENS, big, Duration.ofDays(7)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (target instanceof RedisLimiter r) {
            r.close();
        }
    }

    @Benchmark
    public boolean admitAndSettle() {
        now += 3; // time moves: buckets roll over as in real traffic
        Admission a = target.admit(limits, 500, now);
        return a instanceof Admission.Admitted ok && ok.reservation().settle(420);
    }
}
