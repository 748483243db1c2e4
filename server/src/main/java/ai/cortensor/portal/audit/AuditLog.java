package ai.cortensor.portal.audit;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Appends to {@code audit_events}: who changed what, when, from where. The table refuses edits and deletes. */
public final class AuditLog {
    private final Jdbi jdbi;

    public AuditLog(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One change. {@code before}/{@code after} are small objects serialized as JSON (never secrets). */
    public record Event(String actor, String actorRole, String action, String targetType, String targetId,
                        Object before, Object after, String reason, String requestId, String clientAddr) {}

    public void append(Event e) {
        jdbi.useHandle(h -> append(h, e));
    }

    /** Appends in the caller's transaction, so the change and its audit row commit together or not at all. */
    public static void append(Handle h, Actor actor, String action, String targetType, String targetId,
                              Object before, Object after, String reason) {
        append(h, new Event(actor.name(), actor.role(), action, targetType, targetId, before, after, reason,
                actor.requestId(), actor.clientAddr()));
    }

    private static void append(Handle h, Event e) {
        h.createUpdate("""
                INSERT INTO audit_events (actor, actor_role, action, target_type, target_id, before_state, after_state,
                    reason, request_id, client_addr)
                VALUES (:actor, :role, :action, :tt, :tid, CAST(:before AS jsonb), CAST(:after AS jsonb), :reason, :rid, :addr)""")
                .bind("actor", e.actor()).bind("role", e.actorRole()).bind("action", e.action())
                .bind("tt", e.targetType()).bind("tid", e.targetId()).bind("before", json(e.before()))
                .bind("after", json(e.after())).bind("reason", e.reason()).bind("rid", e.requestId())
                .bind("addr", e.clientAddr()).execute();
    }

    private static String json(Object o) {
        if (o == null) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("audit state is not serializable", ex);
        }
    }
}
