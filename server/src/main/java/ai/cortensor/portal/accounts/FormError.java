package ai.cortensor.portal.accounts;

/** A customer mistake on a form: which field and what to do, in plain words. Nothing was changed. */
public final class FormError extends RuntimeException {
    private final String field;

    public FormError(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
