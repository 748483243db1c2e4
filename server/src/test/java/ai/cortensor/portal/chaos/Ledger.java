package ai.cortensor.portal.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * The clients' records held against PostgreSQL: every served response has exactly one {@code usage_events} row with
 * the tokens the client was told, every request that must be logged has its {@code request_logs} row, and nothing
 * refused was billed.
 */
final class Ledger {
    /** One request's rows: usage events and request logs with that id (each at most one, by the schema). */
    record Rows(int usageRows, Long promptTokens, Long completionTokens, String usageStatus, int logRows,
                Integer httpStatus, String status, String errorCode, String target, String attempts) {}

    /**
     * @param responses      answers the clients received whole (or streams that ended with an error event)
     * @param served         of those, the ones served (200): each must be metered
     * @param lost           served without a usage event
     * @param duplicated     usage events or request logs beyond one per request id
     * @param unlogged       requests that must have a request log and have none
     * @param billedUnserved refused requests (non-200 answers) that have a usage event
     * @param mismatched     served requests whose usage event's tokens differ from what the client was told
     */
    record Verdict(int responses, int served, int lost, int duplicated, int unlogged, int billedUnserved,
                   List<String> mismatched, List<String> examples, Map<String, Rows> rows) {
        Rows of(Call c) {
            return c.requestId() == null ? null : rows.get(c.requestId());
        }
    }

    private Ledger() {}

    /**
     * Polls (every 200 ms, up to {@code wait}) until every served call is metered and every call that must be logged
     * is; then judges. {@code everyAnsweredLogged}: every request that got a status must be logged (it was accepted
     * and ended); otherwise only those received whole (the process may have died with a request in flight).
     */
    static Verdict check(Jdbi jdbi, List<Call> calls, boolean everyAnsweredLogged, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Verdict v;
        while (true) {
            v = judge(jdbi, calls, everyAnsweredLogged);
            if ((v.lost() == 0 && v.unlogged() == 0) || System.nanoTime() > deadline) {
                return v;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return v;
            }
        }
    }

    private static Verdict judge(Jdbi jdbi, List<Call> calls, boolean everyAnsweredLogged) {
        Map<String, Rows> rows = load(jdbi);
        long duplicated = jdbi.withHandle(h -> h.createQuery("SELECT (SELECT count(*) - count(DISTINCT request_id) "
                + "FROM usage_events) + (SELECT count(*) - count(DISTINCT request_id) FROM request_logs)")
                .mapTo(Long.class).one());
        int responses = 0;
        int served = 0;
        int lost = 0;
        int unlogged = 0;
        int billedUnserved = 0;
        List<String> mismatched = new ArrayList<>();
        List<String> examples = new ArrayList<>();
        for (Call c : calls) {
            Rows r = c.requestId() == null ? null : rows.get(c.requestId());
            if (c.received()) {
                responses++;
            }
            if (c.served()) {
                served++;
                if (r == null || r.usageRows() == 0) {
                    lost++;
                    example(examples, "no usage event: " + c);
                } else if (c.complete() && c.promptTokens() != null && (!Objects.equals(c.promptTokens(), r.promptTokens())
                        || !Objects.equals(c.completionTokens(), r.completionTokens()))) {
                    mismatched.add(c + " told " + c.promptTokens() + "+" + c.completionTokens() + ", recorded "
                            + r.promptTokens() + "+" + r.completionTokens());
                }
            } else if (c.received() && r != null && r.usageRows() > 0) {
                billedUnserved++;
                example(examples, "billed but refused: " + c);
            }
            boolean mustLog = everyAnsweredLogged ? c.answered() : c.received();
            if (mustLog && (r == null || r.logRows() == 0)) {
                unlogged++;
                example(examples, "no request log: " + c);
            }
        }
        return new Verdict(responses, served, lost, (int) duplicated, unlogged, billedUnserved, mismatched, examples, rows);
    }

    private static void example(List<String> examples, String s) {
        if (examples.size() < 8) {
            examples.add(s);
        }
    }

    private static Map<String, Rows> load(Jdbi jdbi) {
        Map<String, Rows> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT coalesce(u.request_id, l.request_id) AS id,
                               (SELECT count(*) FROM usage_events x WHERE x.request_id = coalesce(u.request_id, l.request_id)) AS usage_rows,
                               u.prompt_tokens::bigint AS prompt_tokens, u.completion_tokens::bigint AS completion_tokens, u.status AS usage_status,
                               (SELECT count(*) FROM request_logs y WHERE y.request_id = coalesce(u.request_id, l.request_id)) AS log_rows,
                               l.http_status, l.status, l.error_code, l.target, l.attempts::text AS attempts
                          FROM usage_events u FULL OUTER JOIN request_logs l ON l.request_id = u.request_id""")
                .map((rs, ctx) -> Map.entry(rs.getString("id"), new Rows(rs.getInt("usage_rows"),
                        rs.getObject("prompt_tokens", Long.class), rs.getObject("completion_tokens", Long.class),
                        rs.getString("usage_status"), rs.getInt("log_rows"), rs.getObject("http_status", Integer.class),
                        rs.getString("status"), rs.getString("error_code"), rs.getString("target"),
                        rs.getString("attempts"))))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }
}
