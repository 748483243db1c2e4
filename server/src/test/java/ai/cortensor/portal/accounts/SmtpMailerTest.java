package ai.cortensor.portal.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SmtpMailerTest {
    private static final String LINK = "http://127.0.0.1:8080/reset?token=abc_DEF-123";
    private static final String PASSWORD = "s3cret-Pa55word";

    @RegisterExtension
    final GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("portal@example.com", "portal", PASSWORD));

    private SmtpSettings settings(String username, String password, int port) {
        return new SmtpSettings("127.0.0.1", port, username, password, "Portal <portal@example.com>", false,
                Duration.ofSeconds(1));
    }

    @Test
    void mail_arrives_with_recipient_subject_and_link_unchanged() throws Exception {
        new SmtpMailer(settings(null, null, greenMail.getSmtp().getPort()))
                .send(new Mail("ada@example.com", "Reset your password – Grüße", "Hi Ada,\n\nOpen " + LINK + "\n"));

        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(1);
        MimeMessage m = received[0];
        assertThat(m.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
                .containsExactly("ada@example.com");
        assertThat(m.getSubject()).isEqualTo("Reset your password – Grüße");
        assertThat(m.getContentType()).containsIgnoringCase("text/plain").containsIgnoringCase("utf-8");
        assertThat(((String) m.getContent()).lines()).contains("Hi Ada,", "Open " + LINK);
    }

    @Test
    void authenticates_with_the_configured_user() throws Exception {
        new SmtpMailer(settings("portal", PASSWORD, greenMail.getSmtp().getPort()))
                .send(new Mail("bob@example.com", "Verify", LINK));
        assertThat(greenMail.getReceivedMessages()).hasSize(1);

        // the same server refuses a wrong password, so the successful send above did authenticate
        SmtpMailer wrong = new SmtpMailer(settings("portal", "not-" + PASSWORD, greenMail.getSmtp().getPort()));
        assertThatThrownBy(() -> wrong.send(new Mail("bob@example.com", "Verify", LINK)))
                .isInstanceOf(MailFailure.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD).contains("127.0.0.1"));
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void closed_port_fails_quickly_without_leaking_the_password() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertFailsWithin(new SmtpMailer(settings("portal", PASSWORD, port)), Duration.ofSeconds(5));
    }

    @Test
    void silent_server_fails_after_the_configured_timeout() throws IOException {
        // accepts TCP connections (kernel backlog) but never sends the SMTP greeting
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            long elapsed = assertFailsWithin(new SmtpMailer(settings("portal", PASSWORD, silent.getLocalPort())),
                    Duration.ofSeconds(5));
            assertThat(elapsed).isGreaterThanOrEqualTo(900);  // it did wait for the 1 s read timeout
        }
    }

    @Test
    void settings_never_print_the_password() {
        assertThat(settings("portal", PASSWORD, 25).toString()).doesNotContain(PASSWORD).contains("portal");
    }

    private static long assertFailsWithin(SmtpMailer mailer, Duration limit) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> mailer.send(new Mail("ada@example.com", "Hello", LINK)))
                .isInstanceOf(MailFailure.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(millis).isLessThan(limit.toMillis());
        return millis;
    }
}
