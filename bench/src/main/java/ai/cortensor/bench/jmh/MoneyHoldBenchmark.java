package ai.cortensor.bench.jmh;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.db.Database;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * What money adds to admitting one request: {@link Billing#hold} and its release, against PostgreSQL
 * ({@code -Ddatabase.url}, a fresh database). {@code none}: an account that is neither prepaid nor budgeted (no
 * round trip: the baseline); {@code credits}: a prepaid account; {@code credits+budgets}: prepaid with a daily and a
 * monthly budget on the account and a daily one on the key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MoneyHoldBenchmark {
    @Param({"none", "credits", "credits+budgets"})
    public String accounts;

    private Database db;
    private Billing billing;
    private boolean prepaid;
    private final AtomicLong ids = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        db = Database.open(ConfigLoader.fromMap(Map.of("database.url", System.getProperty("database.url"),
                "data.dir", Files.createTempDirectory("bench-money").toString())));
        billing = new Billing(db.jdbi(), InstantSource.system());
        Actor ops = new Actor("bench", "admin", null, null);
        prepaid = !accounts.equals("none");
        if (prepaid) {
            billing.grant("u1", Long.MAX_VALUE / 4, "bench", ops, null);
        }
        if (accounts.equals("credits+budgets")) {
            billing.setBudget(Budget.Scope.ACCOUNT, "u1", Budget.Period.DAY, Long.MAX_VALUE / 4, ops);
            billing.setBudget(Budget.Scope.ACCOUNT, "u1", Budget.Period.MONTH, Long.MAX_VALUE / 4, ops);
            billing.setBudget(Budget.Scope.KEY, "1", Budget.Period.DAY, Long.MAX_VALUE / 4, ops);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        db.close();
    }

    @Benchmark
    public boolean holdAndRelease() {
        String id = "req_bench_" + ids.incrementAndGet();
        billing.hold(id, "u1", 1, prepaid, 1_000);
        return prepaid && billing.release(id);
    }
}
