package ai.cortensor.portal.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For the local demo, where there is no mail server: each mail becomes one INFO log event with the full text,
 * so verification and reset links can be followed from the console. Never use it in production: the links
 * in those mails are credentials.
 */
public final class LogMailer implements Mailer {
    private static final Logger log = LoggerFactory.getLogger(LogMailer.class);

    public LogMailer() {}

    @Override
    public void send(Mail mail) {
        log.info("Mail to {}, subject \"{}\":\n{}", mail.to(), mail.subject(), mail.text());
    }
}
