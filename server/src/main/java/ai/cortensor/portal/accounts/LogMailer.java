package ai.cortensor.portal.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Without a mail server. In the local demo ({@code withText}) each mail becomes one INFO log event with the full
 * text, so verification and reset links can be followed from the console. Otherwise only a warning that the mail
 * was not delivered: the links in those mails are credentials and must not reach a production log.
 */
public final class LogMailer implements Mailer {
    private static final Logger log = LoggerFactory.getLogger(LogMailer.class);
    private final boolean withText;

    public LogMailer(boolean withText) {
        this.withText = withText;
    }

    @Override
    public void send(Mail mail) {
        if (withText) {
            log.info("Mail to {}, subject \"{}\":\n{}", mail.to(), mail.subject(), mail.text());
        } else {
            log.warn("Mail to {}, subject \"{}\" not delivered: mail.smtp-host is not set", mail.to(), mail.subject());
        }
    }
}
