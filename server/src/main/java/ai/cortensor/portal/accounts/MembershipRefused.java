package ai.cortensor.portal.accounts;

/**
 * An organization change the member may not make, or that does not apply: who may not ({@link Kind#FORBIDDEN}),
 * what is not there ({@link Kind#NOT_FOUND}), or what would break a rule ({@link Kind#CONFLICT}, e.g. the last
 * owner leaving). The message is for the customer. Nothing was changed.
 */
public final class MembershipRefused extends RuntimeException {
    public enum Kind { FORBIDDEN, NOT_FOUND, CONFLICT }

    private final Kind kind;

    public MembershipRefused(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
