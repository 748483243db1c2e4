package ai.cortensor.portal.accounts;

/** Sends account mail (verification, password reset). */
public interface Mailer {
    /**
     * Hands the mail to the transport and returns once it was accepted.
     *
     * @throws MailFailure when it could not be sent; its message is safe to log
     */
    void send(Mail mail);
}
