package ai.cortensor.portal.plans;

import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Past usage of a limit's scope from {@code request_logs}, so that an in-process allowance counter created after a
 * restart starts from what was really used this week, not from zero. Admitted requests count (everything not
 * blocked), tokens are the metered ones. Read once per counter per process.
 */
public final class UsageHistory implements LocalLimiter.Seeder {
    private final Jdbi jdbi;

    public UsageHistory(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public Map<Long, Long> history(Limit limit, long nowMillis) {
        String scope;
        long id = Long.parseLong(limit.scope() == Limit.Scope.KEY ? limit.scopeId() : limit.scopeId().substring(1));
        if (limit.scope() == Limit.Scope.KEY) {
            scope = "api_key_id = :id";
        } else if (limit.scopeId().startsWith("o")) {
            scope = "organization_id = :id";
        } else {
            scope = "organization_id IS NULL AND user_id = :id";
        }
        long bucket = limit.bucketMillis();
        long from = nowMillis - limit.window().toMillis();
        String amount = limit.kind().tokens() ? "coalesce(sum(coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0)), 0)"
                : "count(*)";
        Map<Long, Long> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT floor(extract(epoch FROM accepted_at) * 1000 / :bucket)::bigint AS epoch, "
                        + amount + " AS amount FROM request_logs WHERE accepted_at > to_timestamp(:from / 1000.0) "
                        + "AND status <> 'blocked' AND " + scope + " GROUP BY 1")
                .bind("bucket", bucket).bind("from", from).bind("id", id)
                .map((rs, ctx) -> Map.entry(rs.getLong("epoch"), rs.getLong("amount")))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }
}
