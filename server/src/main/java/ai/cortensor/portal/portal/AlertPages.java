package ai.cortensor.portal.portal;

import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.notifications.Webhooks;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.web.Html;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The alerts page: the balance and the low-credit threshold, the budgets the 50/80/100 % alerts watch, the
 * webhook (URL, a signing secret shown once, rotation, a test event) and its delivery log.
 */
final class AlertPages {
    private final Gate gate;
    private final Html html;
    private final CustomerKeys keys;
    private final Billing billing;
    private final Webhooks webhooks;
    private final AdmissionControl admission;

    AlertPages(Gate gate, Html html, CustomerKeys keys, Billing billing, Webhooks webhooks, AdmissionControl admission) {
        this.gate = gate;
        this.html = html;
        this.keys = keys;
        this.billing = billing;
        this.webhooks = webhooks;
        this.admission = admission;
    }

    void register(ConsolePages console, HttpRouting.Builder r) {
        console.signedIn(r, "/portal/alerts", false, (req, res, c) -> page(req, res, c, null, null, null, 200));
        console.signedIn(r, "/portal/alerts/low-balance", true, owner(this::setThreshold));
        console.signedIn(r, "/portal/alerts/webhook", true, owner(this::saveWebhook));
        console.signedIn(r, "/portal/alerts/webhook/rotate", true, owner(this::rotate));
        console.signedIn(r, "/portal/alerts/webhook/test", true, owner(this::test));
        // only takes something away: allowed while the account is paused, like revoking a key
        console.signedInPost(r, "/portal/alerts/webhook/remove", Gate.Guard.NONE, owner(this::remove));
    }

    /** A form handler that needs an owner (always true for a personal account) and a valid form. */
    private ConsolePages.SignedInHandler owner(FormHandler handler) {
        return (req, res, c) -> {
            Map<String, String> form = Forms.read(req, res, gate, html);
            if (form == null) {
                return;
            }
            if (!c.account().owner()) {
                page(req, res, c, null, "Only an owner of the organization can change its alerts.", null, 403);
                return;
            }
            handler.handle(req, res, c, form);
        };
    }

    @FunctionalInterface
    private interface FormHandler {
        void handle(ServerRequest req, ServerResponse res, Sessions.Current c, Map<String, String> form);
    }

    private void setThreshold(ServerRequest req, ServerResponse res, Sessions.Current c, Map<String, String> form) {
        String text = form.getOrDefault("threshold", "").strip();
        Long micros = text.isEmpty() ? null : Money.parseUsd(text);
        if (!text.isEmpty() && (micros == null || micros < 0)) {
            page(req, res, c, null, "Enter the threshold in US dollars, like 5 or 12.50 — or leave it empty to turn "
                    + "the alert off.", null, 400);
            return;
        }
        billing.setLowBalanceAlert(AlertsApi.account(c), micros, AlertsApi.actor(req, c));
        page(req, res, c, micros == null ? "The low-credit alert is off." : "We will mail you when credits fall below "
                + Money.usd(micros) + ".", null, null, 200);
    }

    private void saveWebhook(ServerRequest req, ServerResponse res, Sessions.Current c, Map<String, String> form) {
        try {
            Webhooks.Saved saved = webhooks.save(AlertsApi.account(c), form.get("url"), AlertsApi.actor(req, c));
            page(req, res, c, saved.secret() != null ? "Webhook saved. Copy its signing secret now."
                    : "Webhook URL saved; its signing secret is unchanged.", null, saved.secret(), 200);
        } catch (IllegalArgumentException e) {
            page(req, res, c, null, e.getMessage(), null, 400);
        }
    }

    private void rotate(ServerRequest req, ServerResponse res, Sessions.Current c, Map<String, String> form) {
        var secret = webhooks.rotateSecret(AlertsApi.account(c), AlertsApi.actor(req, c));
        page(req, res, c, secret.isPresent() ? "New signing secret made; the previous one no longer signs deliveries. "
                + "Copy it now." : null, secret.isPresent() ? null : "There is no webhook to rotate.", secret.orElse(null),
                secret.isPresent() ? 200 : 404);
    }

    private void test(ServerRequest req, ServerResponse res, Sessions.Current c, Map<String, String> form) {
        switch (webhooks.sendTest(AlertsApi.account(c))) {
            case Webhooks.Test.Queued q -> page(req, res, c, "Test event " + q.eventId() + " is on its way; reload to "
                    + "see it in the delivery log.", null, null, 200);
            case Webhooks.Test.AlreadyQueued q -> page(req, res, c, null, "The previous test event has not been sent "
                    + "yet.", null, 409);
            case Webhooks.Test.NoWebhook n -> page(req, res, c, null, "Set a webhook URL first.", null, 404);
            case Webhooks.Test.TooMany t -> page(req, res, c, null, "That was " + Webhooks.TESTS_PER_HOUR
                    + " test events within an hour; try again later.", null, 429);
        }
    }

    private void remove(ServerRequest req, ServerResponse res, Sessions.Current c, Map<String, String> form) {
        boolean removed = webhooks.remove(AlertsApi.account(c), AlertsApi.actor(req, c));
        page(req, res, c, removed ? "Webhook removed. Alerts are mailed only." : null,
                removed ? null : "There is no webhook to remove.", null, removed ? 200 : 404);
    }

    private void page(ServerRequest req, ServerResponse res, Sessions.Current c, String notice, String error,
                      String secret, int status) {
        String account = AlertsApi.account(c);
        var balance = billing.balance(account);
        Page page = gate.page(req, res, c, "Alerts", "alerts");
        if (notice != null) {
            page = page.withNotice(notice, "info");
        }
        html.render(res, status, "alerts.jte", AuthPages.params("page", page, "view", new Views.Alerts(
                c.account().owner(), admission.plan(AlertsApi.ref(c)).plan().prepaid(), Money.usd(balance.balanceMicros()),
                balance.lowBalanceMicros() == null ? "" : Money.usd(balance.lowBalanceMicros()).substring(1),
                budgets(c, account), webhooks.endpoint(account).orElse(null), secret, error, webhooks.log(account),
                webhooks.maxAttempts())));
    }

    /** The account's budgets, then each key's, with their spend in the current period. */
    private List<Views.BudgetLine> budgets(Sessions.Current c, String account) {
        List<Views.BudgetLine> out = new ArrayList<>();
        billing.budgets(account, null).forEach(b -> out.add(line("This account", b)));
        for (KeyStore.Listing k : keys.list(c.account())) {
            if (!"revoked".equals(k.state())) {
                billing.budgets(account, k.id()).stream().filter(b -> b.budget().scope() == Budget.Scope.KEY)
                        .forEach(b -> out.add(line("Key \"" + k.name() + "\"", b)));
            }
        }
        return out;
    }

    private static Views.BudgetLine line(String scope, Billing.BudgetState b) {
        long cap = b.budget().capMicros();
        return new Views.BudgetLine(scope, b.budget().period() == Budget.Period.DAY ? "Per day (UTC)" : "Per month (UTC)",
                Money.usd(cap), Money.usd(b.spentMicros()), (int) Math.min(999, b.spentMicros() * 100 / cap),
                Format.time(b.resetsAt()));
    }
}
