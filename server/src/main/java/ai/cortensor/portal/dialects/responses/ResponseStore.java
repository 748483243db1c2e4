package ai.cortensor.portal.dialects.responses;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for {@code responses}. Every read and delete is scoped to one account (organization keys see their
 * organization's rows, personal keys their user's personal rows) and to rows created after a cutoff (the
 * retention), so a row of another account, or an expired one, is simply not found.
 */
final class ResponseStore {
    private static final String ACCOUNT_SCOPE = "(CASE WHEN CAST(:org AS BIGINT) IS NULL "
            + "THEN organization_id IS NULL AND user_id = :u ELSE organization_id = :org END)";
    private static final int SWEEP_BATCH = 1000;
    /** Seconds a request may wait on one statement: a slow database delays an answer by at most this much. */
    private static final int REQUEST_TIMEOUT_SECONDS = 2;

    private final Jdbi jdbi;

    ResponseStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One stored response as written: {@code context} and {@code body} are JSON text. */
    record Row(String id, long userId, Long organizationId, long apiKeyId, String requestId, String model,
               String status, String previousResponseId, Instant createdAt, String context, String body) {}

    /** What a read returns: the response object, and the conversation it answered. */
    record Found(String status, String context, String body) {}

    void insert(Row r) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO responses (id, user_id, organization_id, api_key_id, "
                        + "request_id, model_alias, status, previous_response_id, created_at, context, body) VALUES "
                        + "(:id, :u, :org, :k, :req, :m, :s, :prev, :t, CAST(:ctx AS json), CAST(:body AS json))")
                .bind("id", r.id()).bind("u", r.userId()).bind("org", r.organizationId()).bind("k", r.apiKeyId())
                .bind("req", r.requestId()).bind("m", r.model()).bind("s", r.status())
                .bind("prev", r.previousResponseId()).bind("t", r.createdAt()).bind("ctx", r.context())
                .bind("body", r.body()).setQueryTimeout(REQUEST_TIMEOUT_SECONDS).execute());
    }

    Optional<Found> find(String id, long userId, Long organizationId, Instant createdAfter) {
        return jdbi.withHandle(h -> h.createQuery("SELECT status, context::text AS context, body::text AS body "
                        + "FROM responses WHERE id = :id AND created_at > :after AND " + ACCOUNT_SCOPE)
                .bind("id", id).bind("u", userId).bind("org", organizationId).bind("after", createdAfter)
                .setQueryTimeout(REQUEST_TIMEOUT_SECONDS)
                .map((rs, ctx) -> new Found(rs.getString("status"), rs.getString("context"), rs.getString("body")))
                .findOne());
    }

    /** True when a visible row was deleted. */
    boolean delete(String id, long userId, Long organizationId, Instant createdAfter) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM responses WHERE id = :id AND created_at > :after AND "
                        + ACCOUNT_SCOPE)
                .bind("id", id).bind("u", userId).bind("org", organizationId).bind("after", createdAfter)
                .setQueryTimeout(REQUEST_TIMEOUT_SECONDS).execute()) > 0;
    }

    /**
     * Deletes every row created at or before {@code cutoff}, in batches of {@value #SWEEP_BATCH} (short
     * transactions; rows another replica's sweep holds are skipped, not waited for). Returns how many.
     */
    int sweep(Instant cutoff) {
        int total = 0;
        int n;
        do {
            n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM responses WHERE id IN (SELECT id FROM responses "
                            + "WHERE created_at <= :cutoff LIMIT " + SWEEP_BATCH + " FOR UPDATE SKIP LOCKED)")
                    .bind("cutoff", cutoff).execute());
            total += n;
        } while (n == SWEEP_BATCH);
        return total;
    }
}
