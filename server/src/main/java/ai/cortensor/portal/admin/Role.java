package ai.cortensor.portal.admin;

import java.util.Set;

/** What an operator may do: {@code admin} everything; {@code support} read everything, revoke a key, pause an account. */
public enum Role {
    ADMIN, SUPPORT;

    private static final Set<String> SUPPORT_MUTATIONS = Set.of("api_key.revoke", "account.pause");

    @com.fasterxml.jackson.annotation.JsonValue
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether this role may perform the mutation named by its audit action, e.g. {@code pool.drain}. */
    public boolean may(String action) {
        return this == ADMIN || SUPPORT_MUTATIONS.contains(action);
    }

    /** The role for a stored or requested code; null when there is no such role. */
    public static Role of(String code) {
        if (code == null) {
            return null;
        }
        return switch (code) {
            case "admin" -> ADMIN;
            case "support" -> SUPPORT;
            default -> null;
        };
    }
}
