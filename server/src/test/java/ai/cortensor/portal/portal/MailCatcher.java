package ai.cortensor.portal.portal;

import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real SMTP server (GreenMail) on a free local port that the portal sends its account mail to. */
final class MailCatcher implements AutoCloseable {
    record Received(String to, String subject, String text) {}

    private final GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

    MailCatcher() {
        greenMail.start();
    }

    /** Portal configuration that sends mail here, in plain SMTP. */
    Map<String, String> config() {
        return Map.of("mail.smtp-host", "127.0.0.1", "mail.smtp-port", Integer.toString(greenMail.getSmtp().getPort()),
                "mail.smtp-starttls", "false", "mail.from", "Cortensor Portal <no-reply@portal.test>");
    }

    List<Received> all() {
        return Arrays.stream(greenMail.getReceivedMessages()).map(MailCatcher::received).toList();
    }

    /** The newest mail to {@code to} with {@code subject} in its subject, waiting for it to arrive. */
    Received waitFor(String to, String subject) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> all().stream().filter(m -> m.to().equalsIgnoreCase(to) && m.subject().contains(subject))
                        .reduce((a, b) -> b), java.util.Optional::isPresent).orElseThrow();
    }

    /** The first link in the mail's text to {@code path} on the portal. */
    static String link(Received mail, String path) {
        Matcher m = Pattern.compile("https?://\\S+" + Pattern.quote(path) + "\\?token=[A-Za-z0-9_-]+").matcher(mail.text());
        if (!m.find()) {
            throw new AssertionError("no " + path + " link in mail: " + mail.text());
        }
        return m.group();
    }

    private static Received received(MimeMessage m) {
        try {
            return new Received(m.getRecipients(Message.RecipientType.TO)[0].toString(), m.getSubject(),
                    m.getContent().toString());
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
