package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.AccountId;
import ai.cortensor.portal.admin.AccountInsight;
import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.DirectoryStore;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.admin.Page;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Console pages about customers: an account (state, plan, limits, why it is blocked, its keys) and a key
 * (metadata, status), with the actions support works with: revoke a key, pause and unpause an account.
 */
final class AccountPages {
    private static final int KEYS_SHOWN = 100;

    private final ConsoleGate gate;
    private final Operations ops;

    AccountPages(ConsoleGate gate, Operations ops) {
        this.gate = gate;
        this.ops = ops;
    }

    void register(HttpRouting.Builder r) {
        r.get("/admin/accounts/{account}", (req, res) -> gate.require(req, res).ifPresent(c ->
                account(req, res, c, param(req, "account"), null, 200)));
        r.post("/admin/accounts/{account}/pause", (req, res) -> setPaused(req, res, true));
        r.post("/admin/accounts/{account}/unpause", (req, res) -> setPaused(req, res, false));
        r.post("/admin/accounts/{account}/plan", (req, res) -> {
            String account = param(req, "account");
            gate.act(req, res, (q, s, c, error, status) -> account(q, s, c, account, error, status),
                    p -> ops.plans().changePlan(account, p.field("plan"), p.field("reason"), p.actor()).changed());
        });
        r.post("/admin/accounts/{account}/limits", (req, res) -> {
            String account = param(req, "account");
            gate.act(req, res, (q, s, c, error, status) -> account(q, s, c, account, error, status),
                    p -> ops.plans().setLimits(account, limits(p), p.field("reason"), p.actor()).changed());
        });
        r.post("/admin/accounts/{account}/credits", (req, res) -> credit(req, res, true));
        r.post("/admin/accounts/{account}/adjustments", (req, res) -> credit(req, res, false));
        r.get("/admin/keys/{ref}", (req, res) -> gate.require(req, res).ifPresent(c ->
                key(req, res, c, param(req, "ref"), null, 200)));
        r.post("/admin/keys/{ref}/revoke", (req, res) -> {
            String ref = param(req, "ref");
            gate.act(req, res, (q, s, c, error, status) -> key(q, s, c, ref, error, status),
                    p -> ops.revokeKey(ref, p.field("reason"), p.actor()).changed());
        });
    }

    private void setPaused(ServerRequest req, ServerResponse res, boolean paused) {
        String account = param(req, "account");
        gate.act(req, res, (q, s, c, error, status) -> account(q, s, c, account, error, status), p -> paused
                ? ops.pauseAccount(account, p.field("reason"), p.actor()).changed()
                : ops.unpauseAccount(account, p.field("reason"), p.actor()).changed());
    }

    /** A grant (positive) or an adjustment (either sign) typed in USD; the form's key makes a resend one entry. */
    private void credit(ServerRequest req, ServerResponse res, boolean grant) {
        String account = param(req, "account");
        gate.act(req, res, (q, s, c, error, status) -> account(q, s, c, account, error, status), p -> {
            Long micros = BillingPages.usd(p.field("amount"), "The amount", true);
            return (grant ? ops.accounting().grant(account, micros, p.field("reason"), p.field("idempotency_key"),
                    p.actor()) : ops.accounting().adjust(account, micros, p.field("reason"),
                    p.field("idempotency_key"), p.actor())).changed();
        });
    }

    private void account(ServerRequest req, ServerResponse res, OperatorSessions.Current c, String ref, String error,
                         int status) {
        AccountId a;
        DirectoryStore.UserRecord user = null;
        DirectoryStore.OrganizationRecord org = null;
        try {
            a = ops.account(ref);
            if (a.organization()) {
                org = ops.organization(a.toString());
            } else {
                user = ops.user(Long.toString(a.id()));
            }
        } catch (ActionRefused e) {
            gate.message(req, res, c, e.kind().status, "No such account", e.getMessage());
            return;
        }
        var accountStatus = ops.accountStatus(a.toString(), null);
        Page<DirectoryStore.KeyRecord> keys = ops.keys(a.toString(), null, null, KEYS_SHOWN);
        String title = user != null ? user.email() : org.name();
        OperatorPage page = gate.page(req, res, c, title, "search");
        gate.render(res, status, "admin/account.jte", error == null ? page : page.withNotice(error, "error"),
                "account", a.toString(), "user", user, "org", org, "status", accountStatus, "keys", keys.data(),
                "moreKeys", keys.nextCursor() != null, "plans", ops.plans().plans(),
                "overrides", ops.plans().overrides(a.toString()),
                "money", BillingPages.accountMoney(ops, a.toString()));
    }

    private void key(ServerRequest req, ServerResponse res, OperatorSessions.Current c, String ref, String error,
                     int status) {
        DirectoryStore.KeyRecord key;
        try {
            key = ops.key(ref);
        } catch (ActionRefused e) {
            gate.message(req, res, c, e.kind().status, "No such key", e.getMessage());
            return;
        }
        AccountInsight.KeyStatus keyStatus = null;
        if ("active".equals(key.state())) {
            try {
                keyStatus = ops.keyStatus(Long.toString(key.id()), null);
            } catch (ActionRefused e) {
                // no live status for a key the gateway cannot load; the metadata still shows
            }
        }
        OperatorPage page = gate.page(req, res, c, "Key " + key.prefix(), "search");
        gate.render(res, status, "admin/key.jte", error == null ? page : page.withNotice(error, "error"),
                "key", key, "keyStatus", keyStatus);
    }

    /** Every override field of the limits form: a number sets it, an empty field removes it. */
    private static java.util.Map<String, Long> limits(ConsoleGate.Posted p) {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (String k : ai.cortensor.portal.plans.LimitOverrides.KEYS) {
            String v = p.field("limit_" + k);
            try {
                out.put(k, v == null ? null : Long.valueOf(v.replace(",", "").replace("_", "").replace(" ", "")));
            } catch (NumberFormatException e) {
                throw ActionRefused.invalid("invalid_limits", k + " must be a whole number (or empty for the plan's value); “"
                        + v + "” is not.");
            }
        }
        return out;
    }

    static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }
}
