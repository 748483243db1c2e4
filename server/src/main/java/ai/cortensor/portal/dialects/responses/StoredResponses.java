package ai.cortensor.portal.dialects.responses;

import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.web.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored responses of the Responses API, in PostgreSQL so every replica sees them: written when an exchange
 * with {@code store} finishes, read back by {@code previous_response_id} and {@code GET /v1/responses/{id}},
 * deleted by {@code DELETE} or, after {@code responses.retention}, by {@link #sweep}. With
 * {@code responses.storage=false} nothing is stored or read.
 */
public final class StoredResponses {
    private static final Logger log = LoggerFactory.getLogger(StoredResponses.class);

    private final ResponseStore store;
    private final boolean enabled;
    private final Duration retention;
    private final InstantSource clock;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    public StoredResponses(Jdbi jdbi, PortalConfig.Responses config, InstantSource clock) {
        this.store = new ResponseStore(jdbi);
        this.enabled = config.storage();
        this.retention = config.retention();
        this.clock = clock;
    }

    /** False when storage is turned off by configuration. */
    public boolean enabled() {
        return enabled;
    }

    InstantSource clock() {
        return clock;
    }

    /** A response to keep: its id, status, the conversation it answered and its response object (JSON text). */
    record Saved(String id, String requestId, String model, String status, String previousResponseId,
                 Instant createdAt, String context, String body) {}

    /**
     * Stores {@code r} for {@code owner}'s account. A failure is logged and swallowed: the answer has been produced
     * and metered and is still delivered; it is only not retrievable later (docs/operations.md).
     */
    void save(ApiKey owner, Saved r) {
        try {
            store.insert(new ResponseStore.Row(r.id(), owner.userId(), owner.organizationId(), owner.id(),
                    r.requestId(), r.model(), r.status(), r.previousResponseId(), r.createdAt(), r.context(),
                    r.body()));
        } catch (RuntimeException e) {
            log.warn("responses: storing {} (request {}) failed, it will not be retrievable: {}", r.id(),
                    r.requestId(), e.toString());
        }
    }

    /**
     * The response {@code id} if it exists, belongs to {@code caller}'s account and has not expired. A database
     * that cannot answer is a 503 (retry shortly), not a missing response.
     */
    Optional<ResponseStore.Found> find(String id, ApiKey caller) {
        if (!enabled) {
            return Optional.empty();
        }
        try {
            return store.find(id, caller.userId(), caller.organizationId(), cutoff());
        } catch (JdbiException e) {
            throw unavailable(id, e);
        }
    }

    /** Deletes a visible response; false when there was none. */
    boolean delete(String id, ApiKey caller) {
        if (!enabled) {
            return false;
        }
        try {
            return store.delete(id, caller.userId(), caller.organizationId(), cutoff());
        } catch (JdbiException e) {
            throw unavailable(id, e);
        }
    }

    private static ApiError unavailable(String id, JdbiException e) {
        log.warn("responses: reading {} failed: {}", id, e.toString());
        return ApiError.server(503, "responses_unavailable", "Stored responses cannot be read right now. Please "
                + "retry shortly.");
    }

    /** Deletes every expired stored response (also while storage is off: rows from before are not kept). */
    public int sweep() {
        int n = store.sweep(cutoff());
        if (n > 0) {
            log.info("responses: swept {} expired stored responses", n);
        }
        return n;
    }

    /**
     * {@link #sweep} for a scheduler: a failure is logged, and the next run tries again; a run that finds the
     * previous one still going does nothing.
     */
    public void sweepQuietly() {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            sweep();
        } catch (RuntimeException e) {
            log.warn("responses: sweeping expired stored responses failed, retrying at the next run: {}",
                    e.toString());
        } finally {
            sweeping.set(false);
        }
    }

    private Instant cutoff() {
        return clock.instant().minus(retention);
    }
}
