package ai.cortensor.portal.admin;

import ai.cortensor.portal.admin.InspectionStore.AuditEntry;
import ai.cortensor.portal.admin.InspectionStore.RequestRow;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Billing;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The read side operators use to answer "what happened": the request log (filtered, keyset pages), one request's
 * lifecycle, and the audit log. Every operator role may read all of it; it changes nothing. Reached through
 * {@link Operations#inspection()}, so the API, the CLI and the console share it.
 */
public final class Inspection {
    private static final List<String> STATUSES = List.of("blocked", "completed", "failed", "cancelled");
    private static final InspectionStore.AuditFilter ANY = new InspectionStore.AuditFilter(null, null, null, null,
            null, null);

    private final InspectionStore store;
    private final Billing billing;

    Inspection(InspectionStore store, Billing billing) {
        this.store = store;
        this.billing = billing;
    }

    public Page<RequestRow> requests(InspectionStore.RequestFilter filter, String cursor, Integer limit) {
        if (filter.status() != null && !STATUSES.contains(filter.status())) {
            throw ActionRefused.invalid("invalid_status", "status must be blocked, completed, failed or cancelled.");
        }
        int n = Page.limit(limit);
        InspectionStore.RequestCursor after = null;
        if (cursor != null) {
            String[] parts = Page.decode(cursor).split(" ", 2);
            try {
                after = new InspectionStore.RequestCursor(Instant.parse(parts[0]), parts[1]);
            } catch (RuntimeException e) {
                throw ActionRefused.invalid("invalid_cursor", "The cursor is not one this server returned.");
            }
        }
        return Page.of(store.requests(filter, after, n + 1), n, r -> r.acceptedAt() + " " + r.requestId());
    }

    public RequestLifecycle request(String requestId) {
        if (requestId == null || requestId.isBlank()) {
            throw ActionRefused.invalid("missing_request_id", "Name the request id.");
        }
        String id = requestId.strip();
        RequestRow row = store.request(id).orElseThrow(() -> ActionRefused.notFound("No request " + id
                + " in the request log (unknown, or still in flight: rows are written when a request ends)."));
        return RequestLifecycle.of(row, store.usageEvent(id).orElse(null), billing.chargeOf(id).orElse(null));
    }

    public Page<AuditEntry> audit(InspectionStore.AuditFilter filter, String cursor, Integer limit) {
        int n = Page.limit(limit);
        Long before = cursor == null ? null : Page.decodeId(cursor);
        return Page.of(store.audit(filter, before, n + 1), n, e -> Long.toString(e.id()));
    }

    /** One audit entry by id. */
    public Optional<AuditEntry> auditEntry(long id) {
        return store.audit(ANY, id + 1, 1).stream().filter(e -> e.id() == id).findFirst();
    }

    /** The audit entry written by the request {@code actor} acted through, if that request changed anything. */
    public Optional<AuditEntry> auditWrittenBy(Actor actor) {
        if (actor.requestId() == null) {
            return Optional.empty();
        }
        return store.audit(new InspectionStore.AuditFilter(actor.name(), null, null, null, null, null), null, 5)
                .stream().filter(e -> actor.requestId().equals(e.requestId())).findFirst();
    }
}
