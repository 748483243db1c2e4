package ai.cortensor.portal.notifications;

import ai.cortensor.portal.accounts.Mail;
import ai.cortensor.portal.accounts.MailFailure;
import ai.cortensor.portal.accounts.Mailer;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.LimitKind;
import ai.cortensor.portal.plans.Limiter;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails customers what they need to know without asking: an operator revoked one of their keys, paused or unpaused
 * their account, the account used 80 % and 100 % of a weekly allowance, and spend alerts ({@link SpendAlerts}: 50,
 * 80 and 100 % of a budget, credits below the account's threshold — these also go to the account's webhook). Each is written once to an outbox
 * ({@code notifications}, unique per account, kind, period and recipient) and sent by {@link #runOnce}, which every
 * replica runs every {@code mail.notify-interval}:
 * <ol>
 *   <li>operators' changes are read from the audit log, which commits with the change itself, so none is missed
 *       and none is mailed twice, whichever replica reads it;</li>
 *   <li>allowances: accounts with requests since the last round are checked against the same counters admission
 *       uses ({@link AdmissionControl#peek}); a threshold is mailed once per rolling week;</li>
 *   <li>spend alerts: budgets and balances as settlement left them ({@link SpendAlerts});</li>
 *   <li>due mails are claimed ({@code FOR UPDATE SKIP LOCKED}, leased), sent through the {@link Mailer}, and retried
 *       with doubling delays ({@link #MAX_ATTEMPTS} attempts, at most {@link #MAX_RETRY_DELAY} apart) when the mail
 *       server refuses. A replica that dies mid-send leaves the lease to expire: that mail may go out twice, never
 *       zero times.</li>
 * </ol>
 * Recipients: the user of a personal account, the owners of an organization (and, for a key, whoever created it).
 */
public final class Notifications {
    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    static final List<String> AUDITED = List.of("api_key.revoke", "account.pause", "account.unpause");
    static final List<String> OPERATOR_ROLES = List.of("admin", "support");
    /** Audit events younger than this are read again next round (a slower transaction may commit an earlier id). */
    static final Duration SETTLE = Duration.ofMinutes(5);
    static final Duration ALLOWANCE_QUIET = Duration.ofDays(7);
    static final int MAX_ATTEMPTS = 8;
    static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);
    static final Duration LEASE = Duration.ofMinutes(5);
    private static final int BATCH = 50;

    private final NotificationStore store;
    private final AdmissionControl admission;
    private final Mailer mailer;
    private final InstantSource clock;
    private final Duration interval;
    private final NotificationMails mails;
    private final AtomicBoolean running = new AtomicBoolean();
    private final boolean mailDelivers;
    private final SpendAlerts spendAlerts;
    private Instant lastAllowanceScan;

    public Notifications(Jdbi jdbi, AdmissionControl admission, Mailer mailer, InstantSource clock, Duration interval,
                         java.util.function.Supplier<String> publicUrl) {
        this(jdbi, admission, mailer, true, clock, interval, publicUrl, new SecureRandom());
    }

    /**
     * {@code mailDelivers} false (no mail server): only spend alerts are planned, for webhooks; no mail is written
     * or sent.
     */
    public Notifications(Jdbi jdbi, AdmissionControl admission, Mailer mailer, boolean mailDelivers, InstantSource clock,
                         Duration interval, java.util.function.Supplier<String> publicUrl, SecureRandom random) {
        this.store = new NotificationStore(jdbi);
        this.admission = admission;
        this.mailer = mailer;
        this.mailDelivers = mailDelivers;
        this.clock = clock;
        this.interval = interval;
        this.mails = new NotificationMails(publicUrl);
        this.spendAlerts = new SpendAlerts(new SpendAlertStore(jdbi), store, admission, mails, clock, random);
        this.lastAllowanceScan = clock.instant().minus(Duration.ofHours(1));
    }

    /** A notification as its recipient sees it on their profile; {@code state}: pending, sent or failed. */
    public record Sent(Instant createdAt, Instant sentAt, String state, String subject, String body) {}

    public Duration interval() {
        return interval;
    }

    /** The notifications a user was sent (or is about to be), newest first, for their profile. */
    public List<Sent> sentTo(long userId) {
        return store.sentTo(userId, 50);
    }

    /** One round: plan from the audit log and the allowances, then deliver what is due. Never throws. */
    public void runOnce() {
        if (!running.compareAndSet(false, true)) {
            return; // the previous round is still sending
        }
        try {
            if (mailDelivers) {
                step("reading the audit log", this::planFromAudit);
                step("checking allowances", this::planAllowances);
            }
            step("checking spend alerts", this::planSpendAlerts);
            if (mailDelivers) {
                step("sending", this::deliver); // also when planning failed: what is written goes out
            }
        } finally {
            running.set(false);
        }
    }

    private static void step(String what, java.util.function.IntSupplier step) {
        try {
            step.getAsInt();
        } catch (RuntimeException e) {
            log.warn("notifications: {} failed; the next round tries again: {}", what, e.toString());
        }
    }

    int planFromAudit() {
        return store.planFromAudit(AUDITED, clock.instant().minus(SETTLE), 500, this::draft);
    }

    private Optional<NotificationStore.Draft> draft(NotificationStore.AuditEvent e) {
        if (!OPERATOR_ROLES.contains(e.actorRole())) {
            return Optional.empty(); // the customer's own change, or the product's: they know
        }
        String period = "audit:" + e.id();
        if (e.action().equals("api_key.revoke")) {
            Optional<NotificationStore.Key> key = parseLong(e.targetId()).flatMap(store::key);
            if (key.isEmpty()) {
                return Optional.empty();
            }
            String account = key.get().account();
            List<NotificationStore.Recipient> to = NotificationStore.union(store.recipients(account),
                    store.user(key.get().userId()).map(List::of).orElse(List.of()));
            var mail = mails.keyRevoked(key.get(), accountLabel(account), e.at());
            return Optional.of(new NotificationStore.Draft(account, "key_revoked", period, mail.subject(), mail.body(), to));
        }
        String account = e.targetId();
        if (account == null || !account.matches("[uo]\\d{1,18}")) {
            return Optional.empty();
        }
        boolean paused = e.action().equals("account.pause");
        var mail = paused ? mails.paused(accountLabel(account), e.at()) : mails.unpaused(accountLabel(account), e.at());
        return Optional.of(new NotificationStore.Draft(account, paused ? "account_paused" : "account_unpaused", period,
                mail.subject(), mail.body(), store.recipients(account)));
    }

    /** Budgets at 50, 80 and 100 %, credits below their threshold ({@link SpendAlerts}). */
    int planSpendAlerts() {
        return spendAlerts.runOnce(mailDelivers);
    }

    /** Accounts that made requests since the last scan, against their weekly allowances. */
    int planAllowances() {
        Instant now = clock.instant();
        Instant since = lastAllowanceScan.minus(interval); // overlap: a request logged late is still seen
        int written = 0;
        for (long[] a : store.activeSince(since, 10_000)) {
            var ref = new AdmissionControl.AccountRef(a[0], a[1] < 0 ? null : a[1]);
            written += planAllowance(ref, now);
        }
        lastAllowanceScan = now;
        return written;
    }

    private int planAllowance(AdmissionControl.AccountRef ref, Instant now) {
        Limiter.State fullest = null;
        for (Limiter.State s : admission.peek(admission.accountLimits(ref))) {
            if (s.limit().kind().allowance() && s.limit().max() > 0
                    && (fullest == null || s.used() * fullest.limit().max() > fullest.used() * s.limit().max())) {
                fullest = s;
            }
        }
        if (fullest == null) {
            return 0;
        }
        long percent = fullest.used() * 100 / fullest.limit().max();
        if (percent < 80) {
            return 0;
        }
        String account = ref.id();
        String period = now.toString().substring(0, 10);
        String label = accountLabel(account);
        List<NotificationStore.Recipient> to = store.recipients(account);
        String unit = fullest.limit().kind() == LimitKind.WEEKLY_TOKENS ? "tokens" : "requests";
        var eighty = mails.allowance(label, 80, fullest.used(), fullest.limit().max(), unit, fullest.resetIn());
        var draft80 = new NotificationStore.Draft(account, "allowance_80", period, eighty.subject(), eighty.body(), to);
        if (percent < 100) {
            return store.planOnce(draft80, ALLOWANCE_QUIET, now, "pending");
        }
        var full = mails.allowance(label, 100, fullest.used(), fullest.limit().max(), unit, fullest.resetIn());
        int n = store.planOnce(new NotificationStore.Draft(account, "allowance_100", period, full.subject(), full.body(),
                to), ALLOWANCE_QUIET, now, "pending");
        store.planOnce(draft80, ALLOWANCE_QUIET, now, "skipped"); // the 100 % mail says it all; no 80 % one later
        return n;
    }

    /** Sends what is due, in batches, until nothing is due. */
    int deliver() {
        int sent = 0;
        for (List<NotificationStore.Due> due = store.claim(clock.instant(), LEASE, BATCH); !due.isEmpty();
             due = store.claim(clock.instant(), LEASE, BATCH)) {
            for (NotificationStore.Due d : due) {
                try {
                    mailer.send(new Mail(d.email(), d.subject(), d.body()));
                    store.sent(d.id(), clock.instant());
                    sent++;
                } catch (MailFailure | IllegalArgumentException e) {
                    Instant retry = d.attempts() >= MAX_ATTEMPTS ? null : clock.instant().plus(retryDelay(d.attempts()));
                    store.failed(d.id(), e.getMessage() == null ? e.toString() : e.getMessage(), retry);
                    log.warn("notification {} to user mail not sent (attempt {} of {}): {}", d.id(), d.attempts(),
                            MAX_ATTEMPTS, e.getMessage());
                }
            }
            if (due.size() < BATCH) {
                break;
            }
        }
        return sent;
    }

    /** interval, 2 × interval, 4 × … after each failed attempt, at most an hour. */
    Duration retryDelay(int attempts) {
        Duration d = interval.multipliedBy(1L << Math.min(20, Math.max(0, attempts - 1)));
        return d.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : d;
    }

    private String accountLabel(String account) {
        String name = store.accountName(account).orElse(account);
        return account.startsWith("o") ? "the organization " + name : "your account " + name;
    }

    private static Optional<Long> parseLong(String s) {
        try {
            return Optional.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
