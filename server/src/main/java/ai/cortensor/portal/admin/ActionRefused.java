package ai.cortensor.portal.admin;

/**
 * An operator action that cannot be done, with a message safe to show the operator. The API answers it as a JSON
 * problem ({@link Kind#status}), the CLI as an exit code, the console as a message.
 */
public final class ActionRefused extends RuntimeException {
    public enum Kind {
        INVALID(400), FORBIDDEN(403), NOT_FOUND(404), CONFLICT(409);

        public final int status;

        Kind(int status) {
            this.status = status;
        }
    }

    private final Kind kind;
    private final String code;

    public ActionRefused(Kind kind, String code, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() { return kind; }
    public String code() { return code; }

    static ActionRefused notFound(String what) {
        return new ActionRefused(Kind.NOT_FOUND, "not_found", what);
    }

    public static ActionRefused invalid(String code, String message) {
        return new ActionRefused(Kind.INVALID, code, message);
    }
}
