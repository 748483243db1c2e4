package ai.cortensor.bench.scale;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Records every statement the product's stores run on the benchmark thread: pgjdbc renders a prepared statement
 * with its bound values in {@code toString()}, which is what {@code EXPLAIN (ANALYZE, BUFFERS)} is later run on.
 */
final class StatementCapture implements SqlLogger {
    record Executed(String sql, long nanos) {}

    private final ThreadLocal<List<Executed>> current = ThreadLocal.withInitial(ArrayList::new);

    @Override
    public void logAfterExecution(StatementContext ctx) {
        long nanos = ctx.getExecutionMoment() == null || ctx.getCompletionMoment() == null ? 0
                : Duration.between(ctx.getExecutionMoment(), ctx.getCompletionMoment()).toNanos();
        String sql = ctx.getStatement() == null ? ctx.getRenderedSql()
                : ctx.getStatement().toString().replaceFirst("^HikariProxy\\w+@\\d+ wrapping ", "");
        current.get().add(new Executed(sql, nanos));
    }

    /** The statements run since the last call, and forgets them. */
    List<Executed> drain() {
        List<Executed> out = current.get();
        current.set(new ArrayList<>());
        return out;
    }
}
