package ai.cortensor.portal.keys;

import java.time.Instant;
import java.util.Map;

/** A stored key as the gateway needs it: never the secret, only its hash. */
public record ApiKey(long id, String publicId, byte[] secretHash, String name, long userId, Long organizationId,
                     String state, Instant expiresAt, Instant createdAt, Map<String, Long> limits,
                     boolean accountPaused) {

    public ApiKey {
        limits = limits == null ? Map.of() : Map.copyOf(limits);
    }

    /** The part a customer may see again after creation, e.g. {@code ctsr_7Gk2pQ9xLm4a}. */
    public String prefix() {
        return KeyFormat.PREFIX + publicId;
    }

    public boolean revoked() {
        return "revoked".equals(state);
    }

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
