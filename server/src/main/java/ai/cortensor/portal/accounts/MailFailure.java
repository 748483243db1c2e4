package ai.cortensor.portal.accounts;

/** A mail could not be sent. The message names the server and the reason, never credentials. */
public final class MailFailure extends RuntimeException {
    public MailFailure(String message) {
        super(message);
    }
}
