package ai.cortensor.portal.portal;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.notifications.Webhooks;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.web.Web;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;

/**
 * Alerts under {@code /portal/api} (docs/portal-api.md): the low-credit threshold, the account's webhook (URL, a
 * secret shown once, rotation, a test event) and its delivery log. Reading is open to every member; changing needs
 * an owner of an organization.
 */
final class AlertsApi {
    private final PortalApi api;
    private final Billing billing;
    private final Webhooks webhooks;
    private final AdmissionControl admission;

    AlertsApi(PortalApi api, Billing billing, Webhooks webhooks, AdmissionControl admission) {
        this.api = api;
        this.billing = billing;
        this.webhooks = webhooks;
        this.admission = admission;
    }

    void register(HttpRouting.Builder r) {
        r.get("/portal/api/alerts", api.api(false, this::alerts));
        // changes are refused while the account is paused (403 account_paused), except removing the webhook
        r.put("/portal/api/alerts/low-balance", api.api(true, Gate.Guard.ACCOUNT, owner(this::setLowBalance)));
        r.get("/portal/api/webhook", api.api(false, this::webhook));
        r.put("/portal/api/webhook", api.api(true, Gate.Guard.ACCOUNT, owner(this::saveWebhook)));
        r.delete("/portal/api/webhook", api.api(true, owner(this::removeWebhook)));
        r.post("/portal/api/webhook/rotate-secret", api.api(true, Gate.Guard.ACCOUNT, owner(this::rotate)));
        r.post("/portal/api/webhook/test", api.api(true, Gate.Guard.ACCOUNT, owner(this::test)));
        r.get("/portal/api/webhook/deliveries", api.api(false, this::deliveries));
    }

    private static PortalApi.Call owner(PortalApi.Call call) {
        return (req, res, c) -> {
            if (!c.account().owner()) {
                PortalApi.error(res, 403, "owner_only", "Only an owner of the organization can change its alerts.");
            } else {
                call.handle(req, res, c);
            }
        };
    }

    private void alerts(ServerRequest req, ServerResponse res, Sessions.Current c) {
        PortalApi.send(res, 200, g -> {
            g.writeStartObject();
            g.writeFieldName("low_balance");
            lowBalance(g, c);
            g.writeArrayFieldStart("budget_thresholds_percent");
            g.writeNumber(50);
            g.writeNumber(80);
            g.writeNumber(100);
            g.writeEndArray();
            g.writeFieldName("webhook");
            endpoint(g, c);
            g.writeEndObject();
        });
    }

    private void setLowBalance(ServerRequest req, ServerResponse res, Sessions.Current c) throws IOException {
        JsonNode body = PortalApi.body(req, res, "{\"threshold_micros\": 5000000}");
        if (body == null || !onlyFields(res, body, Set.of("threshold_micros"))) {
            return;
        }
        JsonNode t = body.get("threshold_micros");
        if (t == null || !(t.isNull() || t.canConvertToLong() && t.isIntegralNumber() && t.asLong() >= 0)) {
            PortalApi.error(res, 400, "invalid_value", "threshold_micros must be a whole number of micro-USD "
                    + "(5000000 = $5.00), at least 0, or null to turn the alert off.");
            return;
        }
        billing.setLowBalanceAlert(account(c), t.isNull() ? null : t.asLong(), actor(req, c));
        PortalApi.send(res, 200, g -> lowBalance(g, c));
    }

    private void webhook(ServerRequest req, ServerResponse res, Sessions.Current c) {
        if (webhooks.endpoint(account(c)).isEmpty()) {
            PortalApi.error(res, 404, "not_found", "This account has no webhook. PUT /portal/api/webhook sets one.");
            return;
        }
        PortalApi.send(res, 200, g -> endpoint(g, c));
    }

    private void saveWebhook(ServerRequest req, ServerResponse res, Sessions.Current c) throws IOException {
        JsonNode body = PortalApi.body(req, res, "{\"url\": \"https://example.com/hooks/cortensor\"}");
        if (body == null || !onlyFields(res, body, Set.of("url"))) {
            return;
        }
        JsonNode url = body.get("url");
        if (url == null || !url.isTextual()) {
            PortalApi.error(res, 400, "invalid_value", "url must be a string: the https:// URL that receives the alerts.");
            return;
        }
        Webhooks.Saved saved;
        try {
            saved = webhooks.save(account(c), url.asText(), actor(req, c));
        } catch (IllegalArgumentException e) {
            PortalApi.error(res, 400, "invalid_value", "url: " + e.getMessage());
            return;
        }
        PortalApi.send(res, saved.secret() == null ? 200 : 201, g -> {
            g.writeStartObject();
            endpointFields(g, saved.endpoint());
            if (saved.secret() != null) {
                g.writeStringField("secret", saved.secret());
                g.writeStringField("notice", "This is the only time the signing secret is shown.");
            }
            g.writeEndObject();
        });
    }

    private void removeWebhook(ServerRequest req, ServerResponse res, Sessions.Current c) {
        if (!webhooks.remove(account(c), actor(req, c))) {
            PortalApi.error(res, 404, "not_found", "This account has no webhook.");
            return;
        }
        PortalApi.send(res, 200, g -> {
            g.writeStartObject();
            g.writeBooleanField("deleted", true);
            g.writeEndObject();
        });
    }

    private void rotate(ServerRequest req, ServerResponse res, Sessions.Current c) throws IOException {
        JsonNode body = PortalApi.body(req, res, "{}");
        if (body == null || !onlyFields(res, body, Set.of())) {
            return;
        }
        var secret = webhooks.rotateSecret(account(c), actor(req, c));
        if (secret.isEmpty()) {
            PortalApi.error(res, 404, "not_found", "This account has no webhook.");
            return;
        }
        PortalApi.send(res, 200, g -> {
            g.writeStartObject();
            g.writeStringField("secret", secret.get());
            g.writeStringField("notice", "This is the only time the signing secret is shown. The previous one no "
                    + "longer signs deliveries.");
            g.writeEndObject();
        });
    }

    private void test(ServerRequest req, ServerResponse res, Sessions.Current c) throws IOException {
        JsonNode body = PortalApi.body(req, res, "{}");
        if (body == null || !onlyFields(res, body, Set.of())) {
            return;
        }
        switch (webhooks.sendTest(account(c))) {
            case Webhooks.Test.NoWebhook n -> PortalApi.error(res, 404, "not_found", "This account has no webhook.");
            case Webhooks.Test.AlreadyQueued q -> PortalApi.error(res, 409, "test_pending",
                    "The previous test event has not been sent yet; see GET /portal/api/webhook/deliveries.");
            case Webhooks.Test.TooMany t -> PortalApi.error(res, 429, "too_many_tests", "At most "
                    + Webhooks.TESTS_PER_HOUR + " test events an hour; try again later.");
            case Webhooks.Test.Queued q -> PortalApi.send(res, 202, g -> {
                g.writeStartObject();
                g.writeStringField("event_id", q.eventId());
                g.writeStringField("type", "webhook.test");
                g.writeEndObject();
            });
        }
    }

    private void deliveries(ServerRequest req, ServerResponse res, Sessions.Current c) {
        var log = webhooks.log(account(c));
        PortalApi.send(res, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (Webhooks.LogEntry e : log) {
                g.writeStartObject();
                g.writeStringField("event_id", e.eventId());
                g.writeStringField("event", e.event());
                g.writeStringField("summary", e.summary());
                g.writeNumberField("attempt", e.attempt());
                g.writeNumberField("max_attempts", webhooks.maxAttempts());
                time(g, e.attempt() == 0 ? "queued_at" : "attempted_at", e.at());
                if (e.statusCode() == null) {
                    g.writeNullField("status_code");
                } else {
                    g.writeNumberField("status_code", e.statusCode());
                }
                g.writeStringField("error", e.error());
                if (e.durationMs() != null) {
                    g.writeNumberField("duration_ms", e.durationMs());
                }
                time(g, "next_retry_at", e.nextRetryAt());
                g.writeStringField("delivery_state", e.state());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private void lowBalance(JsonGenerator g, Sessions.Current c) throws IOException {
        var balance = billing.balance(account(c));
        g.writeStartObject();
        g.writeBooleanField("prepaid", admission.plan(ref(c)).plan().prepaid());
        g.writeNumberField("balance_micros", balance.balanceMicros());
        if (balance.lowBalanceMicros() == null) {
            g.writeNullField("threshold_micros");
        } else {
            g.writeNumberField("threshold_micros", balance.lowBalanceMicros());
        }
        g.writeEndObject();
    }

    private void endpoint(JsonGenerator g, Sessions.Current c) throws IOException {
        var e = webhooks.endpoint(account(c));
        if (e.isEmpty()) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        endpointFields(g, e.get());
        g.writeEndObject();
    }

    private static void endpointFields(JsonGenerator g, Webhooks.Endpoint e) throws IOException {
        g.writeStringField("url", e.url());
        time(g, "created_at", e.createdAt());
        time(g, "secret_rotated_at", e.secretRotatedAt());
    }

    private static void time(JsonGenerator g, String field, Instant at) throws IOException {
        g.writeStringField(field, at == null ? null : at.toString());
    }

    /** False (and a 400 naming it) when the body has a field this call does not take. */
    private static boolean onlyFields(ServerResponse res, JsonNode body, Set<String> allowed) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                PortalApi.error(res, 400, "unknown_field", "Unknown field '" + f + "'"
                        + (allowed.isEmpty() ? ": this call takes no fields." : "; this call takes " + allowed + "."));
                return false;
            }
        }
        return true;
    }

    static String account(Sessions.Current c) {
        return ref(c).id();
    }

    static AdmissionControl.AccountRef ref(Sessions.Current c) {
        return new AdmissionControl.AccountRef(c.user().id(), c.account().organizationId());
    }

    static Actor actor(ServerRequest req, Sessions.Current c) {
        return new Actor(c.user().email(), "customer", null, Web.clientAddr(req));
    }
}
