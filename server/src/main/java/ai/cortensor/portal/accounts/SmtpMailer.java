package ai.cortensor.portal.accounts;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/**
 * Submits mail over SMTP (Jakarta Mail, Angus implementation), one connection per mail. Account mail is rare,
 * so a pool would only add stale-connection handling. Thread-safe: the session is immutable after construction.
 */
public final class SmtpMailer implements Mailer {
    private final SmtpSettings settings;
    private final Session session;

    public SmtpMailer(SmtpSettings s) {
        this.settings = s;
        String millis = Long.toString(s.timeout().toMillis());
        Properties p = new Properties();
        p.setProperty("mail.transport.protocol", "smtp");
        p.setProperty("mail.smtp.host", s.host());
        p.setProperty("mail.smtp.port", Integer.toString(s.port()));
        p.setProperty("mail.smtp.connectiontimeout", millis);
        p.setProperty("mail.smtp.timeout", millis);
        p.setProperty("mail.smtp.writetimeout", millis);
        if (s.startTls()) {
            p.setProperty("mail.smtp.starttls.enable", "true");
            p.setProperty("mail.smtp.starttls.required", "true");
            p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        }
        Authenticator auth = null;
        if (s.username() != null) {
            p.setProperty("mail.smtp.auth", "true");
            String password = s.password() == null ? "" : s.password();
            auth = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(s.username(), password);
                }
            };
        }
        this.session = Session.getInstance(p, auth);
    }

    @Override
    public void send(Mail mail) {
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(new InternetAddress(settings.from(), true));  // also the envelope sender (MAIL FROM)
            m.setRecipient(Message.RecipientType.TO, new InternetAddress(mail.to(), true));
            m.setSubject(mail.subject(), StandardCharsets.UTF_8.name());
            m.setText(mail.text(), StandardCharsets.UTF_8.name());  // text/plain; charset=UTF-8
            m.setSentDate(new Date());
            Transport.send(m);
        } catch (MessagingException | RuntimeException e) {
            throw new MailFailure("Could not send mail via " + settings.host() + ":" + settings.port() + ": "
                    + reason(e));
        }
    }

    /**
     * The innermost causes' class and message, for the log. SMTP servers do not echo passwords, but the
     * password is masked anyway in case a server or library ever does. The cause itself is not attached,
     * so nothing unmasked can reach a log through the stack trace.
     */
    private String reason(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 500; t = t.getCause() == t ? null : t.getCause()) {
            if (!sb.isEmpty()) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(" (").append(t.getMessage().strip()).append(')');
            }
        }
        String text = sb.toString();
        String password = settings.password();
        return password == null || password.isEmpty() ? text : text.replace(password, "****");
    }
}
