package ai.cortensor.portal.notifications;

import ai.cortensor.portal.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The JSON bodies webhooks post (docs/billing.md, "Webhook events"): {@code id} (the idempotency id: the same on
 * every attempt), {@code type}, {@code created_at}, {@code account} and the event's {@code data}. Money is integer
 * micro-USD, as everywhere in the APIs.
 */
final class WebhookEvents {
    private WebhookEvents() {}

    static String budget(String id, String account, Instant at, SpendAlerts.BudgetCrossing c, int threshold) {
        return event(id, "budget.threshold", account, at, g -> {
            g.writeNumberField("threshold_percent", threshold);
            g.writeObjectFieldStart("budget");
            g.writeStringField("scope", c.scope());
            if (c.keyId() != null) {
                g.writeNumberField("key_id", c.keyId());
                g.writeStringField("key_name", c.keyName());
            }
            g.writeStringField("period", c.period());
            g.writeNumberField("cap_micros", c.capMicros());
            g.writeEndObject();
            g.writeNumberField("spent_micros", c.spentMicros());
            g.writeBooleanField("requests_refused", c.refused());
            g.writeStringField("period_start", c.periodStart().toString());
            g.writeStringField("resets_at", c.resetsAt().toString());
        });
    }

    static String creditsLow(String id, String account, Instant at, long balanceMicros, long thresholdMicros) {
        return event(id, "credits.low", account, at, g -> {
            g.writeNumberField("balance_micros", balanceMicros);
            g.writeNumberField("threshold_micros", thresholdMicros);
        });
    }

    static String test(String id, String account, Instant at) {
        return event(id, "webhook.test", account, at, g -> g.writeStringField("message",
                "A test event from the Cortensor Portal: your endpoint received it and can check its signature."));
    }

    private static String event(String id, String type, String account, Instant at, Json.Body data) {
        return new String(Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", type);
            g.writeStringField("created_at", at.toString());
            g.writeStringField("account", account);
            g.writeObjectFieldStart("data");
            data.write(g);
            g.writeEndObject();
            g.writeEndObject();
        }), StandardCharsets.UTF_8);
    }
}
