package ai.cortensor.portal.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.accounts.Mail;
import ai.cortensor.portal.accounts.MailFailure;
import ai.cortensor.portal.accounts.Mailer;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox against real PostgreSQL, driven by hand: two senders (as two replicas) deliver each notification once,
 * and a mail server that refuses is retried with doubling delays, then given up. The portal itself runs without SMTP,
 * so its own sender is off and only these senders deliver.
 */
class NotificationOutboxIT {
    static final Actor OPERATOR = new Actor("ops@example.com", "support", null, null);
    static PortalTestSupport.Running portal;
    final FakeClock clock = new FakeClock(Instant.now().plus(Duration.ofMinutes(10)));

    @BeforeAll
    static void start() {
        portal = PortalTestSupport.start();
    }

    @AfterAll
    static void stop() {
        portal.close();
    }

    /** Records every mail; each send takes a little while, as SMTP does, so that two senders overlap. */
    static final class Recording implements Mailer {
        final List<Mail> sent = new CopyOnWriteArrayList<>();

        @Override
        public void send(Mail mail) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sent.add(mail);
        }
    }

    Notifications sender(Mailer mailer) {
        return new Notifications(portal.jdbi(), portal.portal().admission(), mailer, clock, Duration.ofSeconds(1),
                () -> "https://portal.test");
    }

    static void revokeAKeyOf(String email) {
        long user = portal.portal().accounts().ensureUser(email, null);
        var key = portal.portal().keys().issue("build server", user, null, null).key();
        assertThat(portal.portal().keys().revoke(key, OPERATOR, "leaked")).isTrue();
    }

    static Map<String, Object> row(String email) {
        return portal.jdbi().withHandle(h -> h.createQuery("SELECT * FROM notifications WHERE email = :e")
                .bind("e", email).mapToMap().one());
    }

    @Test
    void two_replicas_send_each_notification_exactly_once() throws Exception {
        for (int i = 0; i < 30; i++) {
            revokeAKeyOf("replicas-" + i + "@outbox.example");
        }
        Recording a = new Recording();
        Recording b = new Recording();
        Notifications one = sender(a);
        Notifications two = sender(b);
        Thread t1 = Thread.ofVirtual().start(() -> { one.runOnce(); one.runOnce(); });
        Thread t2 = Thread.ofVirtual().start(() -> { two.runOnce(); two.runOnce(); });
        t1.join();
        t2.join();
        one.runOnce();
        two.runOnce();

        List<String> to = new java.util.ArrayList<>();
        a.sent.forEach(m -> to.add(m.to()));
        b.sent.forEach(m -> to.add(m.to()));
        assertThat(to.stream().filter(t -> t.endsWith("@outbox.example") && t.startsWith("replicas-")))
                .hasSize(30).doesNotHaveDuplicates();
        assertThat(portal.count("SELECT count(*) FROM notifications WHERE email LIKE 'replicas-%' AND state = 'sent' "
                + "AND kind = 'key_revoked' AND attempts = 1")).isEqualTo(30);
        assertThat(java.util.stream.Stream.concat(a.sent.stream(), b.sent.stream()).map(Mail::subject))
                .containsOnly("Your API key \"build server\" was revoked");
    }

    @Test
    void a_refusing_mail_server_is_retried_with_doubling_delays_then_given_up() {
        revokeAKeyOf("refused@outbox.example");
        AtomicInteger tries = new AtomicInteger();
        Notifications sender = sender(mail -> {
            if (mail.to().equals("refused@outbox.example")) {
                tries.incrementAndGet();
                throw new MailFailure("Could not send mail via smtp.test:587: 451 try later");
            }
        });
        sender.runOnce();
        assertThat(tries).hasValue(1);
        assertThat(row("refused@outbox.example")).containsEntry("state", "pending").containsEntry("attempts", 1)
                .containsEntry("last_error", "Could not send mail via smtp.test:587: 451 try later");
        sender.runOnce();
        assertThat(tries).as("not due again yet").hasValue(1);
        long[] delays = {1, 2, 4, 8, 16, 32, 64};
        for (long d : delays) {
            clock.advance(Duration.ofSeconds(d));
            sender.runOnce();
        }
        assertThat(tries).hasValue(Notifications.MAX_ATTEMPTS);
        assertThat(row("refused@outbox.example")).containsEntry("state", "failed");
        clock.advance(Duration.ofHours(2));
        sender.runOnce();
        assertThat(tries).as("given up").hasValue(Notifications.MAX_ATTEMPTS);
    }

    @Test
    void a_mail_server_back_after_refusing_gets_the_mail_on_the_next_attempt() {
        revokeAKeyOf("later@outbox.example");
        AtomicInteger tries = new AtomicInteger();
        Recording delivered = new Recording();
        Notifications sender = sender(mail -> {
            if (mail.to().equals("later@outbox.example") && tries.incrementAndGet() == 1) {
                throw new MailFailure("Could not send mail via smtp.test:587: ConnectException (Connection refused)");
            }
            delivered.send(mail);
        });
        sender.runOnce();
        clock.advance(Duration.ofSeconds(1));
        sender.runOnce();
        assertThat(delivered.sent).extracting(Mail::to).containsOnlyOnce("later@outbox.example");
        assertThat(row("later@outbox.example")).containsEntry("state", "sent").containsEntry("attempts", 2);
    }
}
