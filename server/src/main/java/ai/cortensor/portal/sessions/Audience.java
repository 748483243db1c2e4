package ai.cortensor.portal.sessions;

/** Who a browser session belongs to: a customer (a user of the portal) or an operator (of the console). */
public enum Audience {
    CUSTOMER("user_id"),
    OPERATOR("operator_id");

    /** The {@code browser_sessions} column holding this audience's principal. */
    final String column;

    Audience(String column) {
        this.column = column;
    }
}
