package ai.cortensor.portal.notifications;

import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.plans.AdmissionControl;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;

/**
 * Spend alerts, planned by the notifications round (every replica, every {@code mail.notify-interval}; one replica
 * at a time, under the round's row lock):
 * <ul>
 *   <li>a budget at 50, 80 or 100 % of its cap in its current period (UTC day or month) — 100 % also when it refused
 *       a request while at least 80 % was spent, since a request's worst case may no longer fit before the spend
 *       reaches the cap. Each threshold once per period and cap; thresholds crossed together send only the highest;</li>
 *   <li>a prepaid account's credits (its settled balance) below the threshold it chose — once, until the balance is
 *       at or above the threshold again (a grant), then the next fall alerts again.</li>
 * </ul>
 * Each alert is one {@code spend_alerts} row (unique per account, kind and period), written in one transaction with
 * its mails (the outbox) and its webhook delivery, so it fires exactly once however many replicas run.
 *
 * <p>Why here and not in the settlement transaction: the round reads what settlement already keeps (spend per
 * budget and period, balances) in one indexed query per round, so the request path and the usage writer pay nothing
 * for alerts; the price is a delay of at most one round.
 */
final class SpendAlerts {
    static final int[] THRESHOLDS = {50, 80, 100};
    /** Refusals written this much after the previous round's start are still seen (the usage writer batches). */
    static final Duration REFUSAL_OVERLAP = Duration.ofMinutes(1);
    /** Alerts are kept this long: past their period (a month at most), they only prevent nothing. */
    static final Duration KEEP = Duration.ofDays(100);

    private final SpendAlertStore store;
    private final NotificationStore notifications;
    private final AdmissionControl admission;
    private final NotificationMails mails;
    private final InstantSource clock;
    private final SecureRandom random;

    SpendAlerts(SpendAlertStore store, NotificationStore notifications, AdmissionControl admission,
                NotificationMails mails, InstantSource clock, SecureRandom random) {
        this.random = random;
        this.store = store;
        this.notifications = notifications;
        this.admission = admission;
        this.mails = mails;
        this.clock = clock;
    }

    /** A budget past a threshold, as the mail and the webhook tell it. {@code scope}: account or key. */
    record BudgetCrossing(String account, String scope, Long keyId, String keyName, String period, long capMicros,
                          long spentMicros, boolean refused, Instant periodStart, String counter) {
        Instant resetsAt() {
            return period.equals("day") ? periodStart.plus(1, ChronoUnit.DAYS)
                    : periodStart.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant();
        }

        /** What makes the alert once per period: the counter, the period's first day and the cap. */
        String alertPeriod() {
            return counter + "@" + LocalDate.ofInstant(periodStart, ZoneOffset.UTC) + "/" + capMicros;
        }

        int threshold() {
            return SpendAlerts.threshold(spentMicros, capMicros, refused);
        }
    }

    /** The highest threshold reached: 100, 80, 50 or 0. */
    static int threshold(long spent, long cap, boolean refused) {
        if (spent >= cap || (refused && spent * 100 >= cap * 80)) {
            return 100;
        }
        return spent * 100 >= cap * 80 ? 80 : spent * 100 >= cap * 50 ? 50 : 0;
    }

    /** One round; {@code mail}: write the mails too (false when no mail would reach anyone). Returns alerts fired. */
    int runOnce(boolean mail) {
        Instant now = clock.instant();
        return store.locked(cursor -> h -> {
            Instant since = Instant.EPOCH.plus(cursor, ChronoUnit.MICROS).minus(REFUSAL_OVERLAP);
            int fired = planBudgets(h, now, since, mail) + planCredits(h, now, mail);
            SpendAlertStore.advance(h, ChronoUnit.MICROS.between(Instant.EPOCH, now));
            SpendAlertStore.sweep(h, now.minus(KEEP));
            return fired;
        }).orElse(0);
    }

    private int planBudgets(Handle h, Instant now, Instant since, boolean mail) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<String> refused = SpendAlertStore.refusedSince(h, since);
        List<BudgetCrossing> crossings = new ArrayList<>();
        for (SpendAlertStore.BudgetRow r : SpendAlertStore.budgets(h, today.atStartOfDay(ZoneOffset.UTC).toInstant(),
                today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant())) {
            String account = r.scope().equals("account") ? r.scopeId() : r.keyUserId() == null ? null
                    : r.keyOrganizationId() == null ? "u" + r.keyUserId() : "o" + r.keyOrganizationId();
            if (account != null) {
                crossings.add(new BudgetCrossing(account, r.scope(), r.keyId(), r.keyName(), r.period(), r.capMicros(),
                        r.spentMicros(), refused.contains(r.counter()), r.periodStart(), r.counter()));
            }
        }
        if (crossings.isEmpty()) {
            return 0;
        }
        Map<String, Integer> done = SpendAlertStore.alerted(h, crossings.stream().map(BudgetCrossing::alertPeriod).toList());
        int fired = 0;
        for (BudgetCrossing c : crossings) {
            int threshold = c.threshold();
            int prior = done.getOrDefault(c.account() + " " + c.alertPeriod(), 0);
            if (threshold <= prior) {
                continue;
            }
            for (int lower : THRESHOLDS) {
                if (lower > prior && lower < threshold) { // crossed in the same round: the higher alert says it all
                    SpendAlertStore.insert(h, c.account(), "budget_" + lower, c.alertPeriod(), true);
                }
            }
            Optional<Long> id = SpendAlertStore.insert(h, c.account(), "budget_" + threshold, c.alertPeriod(), false);
            if (id.isEmpty()) {
                continue;
            }
            List<NotificationStore.Recipient> to = notifications.recipients(c.account());
            if (c.keyId() != null) {
                to = NotificationStore.union(to, notifications.key(c.keyId())
                        .flatMap(k -> notifications.user(k.userId())).map(List::of).orElse(List.of()));
            }
            var text = mails.budget(accountLabel(c.account()), c, threshold, now);
            String summary = threshold + " % of the " + (c.period().equals("day") ? "daily" : "monthly") + " budget of "
                    + Money.usd(c.capMicros()) + (c.keyId() == null ? " on the account" : " on key \"" + c.keyName() + "\"");
            fire(h, c.account(), "budget_" + threshold, c.alertPeriod(), to, text, mail, "budget.threshold", summary,
                    eventId -> WebhookEvents.budget(eventId, c.account(), now, c, threshold));
            fired++;
        }
        return fired;
    }

    private int planCredits(Handle h, Instant now, boolean mail) {
        int fired = 0;
        for (SpendAlertStore.CreditRow r : SpendAlertStore.credits(h)) {
            if (r.alerted()) {
                SpendAlertStore.rearm(h, r.account()); // at or above the threshold again: the next fall alerts
                continue;
            }
            if (!prepaid(r.account())) {
                continue; // only prepaid accounts run on credits; others' balances are what they spent
            }
            SpendAlertStore.below(h, r.account(), now);
            String period = "below@" + now;
            Optional<Long> id = SpendAlertStore.insert(h, r.account(), "credits_low", period, false);
            if (id.isEmpty()) {
                continue;
            }
            var text = mails.creditsLow(accountLabel(r.account()), r.balanceMicros(), r.thresholdMicros());
            fire(h, r.account(), "credits_low", period, notifications.recipients(r.account()), text, mail,
                    "credits.low", "Credits " + Money.usd(r.balanceMicros()) + ", below " + Money.usd(r.thresholdMicros()),
                    eventId -> WebhookEvents.creditsLow(eventId, r.account(), now, r.balanceMicros(),
                            r.thresholdMicros()));
            fired++;
        }
        return fired;
    }

    /** The alert's mails and webhook delivery, in the transaction that wrote the alert. */
    private void fire(Handle h, String account, String kind, String period, List<NotificationStore.Recipient> to,
                      NotificationMails.Text text, boolean mail, String eventType, String summary,
                      UnaryOperator<String> body) {
        if (mail) {
            NotificationStore.insert(h, new NotificationStore.Draft(account, kind, period, text.subject(), text.body(),
                    to), "pending");
        }
        String eventId = eventId();
        WebhookStore.enqueue(h, account, eventId, eventType, summary, body.apply(eventId)); // nothing without a webhook
    }

    /** Unguessable and unique: an event's id says nothing about how many alerts others got. */
    private String eventId() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return "evt_" + HexFormat.of().formatHex(b);
    }

    private boolean prepaid(String account) {
        long id = Long.parseLong(account.substring(1));
        var ref = account.startsWith("o") ? new AdmissionControl.AccountRef(0, id) : new AdmissionControl.AccountRef(id, null);
        return admission.plan(ref).plan().prepaid();
    }

    private String accountLabel(String account) {
        String name = notifications.accountName(account).orElse(account);
        return account.startsWith("o") ? "the organization " + name : "your account " + name;
    }
}
