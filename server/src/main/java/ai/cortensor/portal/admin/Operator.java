package ai.cortensor.portal.admin;

import ai.cortensor.portal.audit.Actor;
import java.time.Instant;

/** A person who runs the service, as authenticated by their token. */
public record Operator(long id, String email, Role role, Instant createdAt) {
    /** This operator acting through one request, as the audit log records it. */
    public Actor actor(String requestId, String clientAddr) {
        return new Actor(email, role.code(), requestId, clientAddr);
    }
}
