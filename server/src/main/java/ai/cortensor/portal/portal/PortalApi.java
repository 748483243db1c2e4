package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.Web;
import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.Refusal;
import ai.cortensor.portal.plans.WhyBlocked;
import ai.cortensor.portal.gateway.Gateway;
import ai.cortensor.portal.dialects.openai.OpenAiDialect;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The portal's data as JSON under {@code /portal/api} (documented in docs/portal-api.md): same session cookie as
 * the pages; state-changing calls need the {@code X-CSRF-Token} header. Errors are
 * {@code {"error":{"code","message"}}}; another account's resources are 404.
 */
final class PortalApi {
    private final Gate gate;
    private final CustomerKeys keys;
    private final UsageReports usage;
    private final AdmissionControl admission;
    private final Gateway gateway;
    private final InstantSource clock;

    private final WhyBlocked whyBlocked;

    PortalApi(Gate gate, CustomerKeys keys, UsageReports usage, AdmissionControl admission, Gateway gateway,
              InstantSource clock, WhyBlocked whyBlocked) {
        this.whyBlocked = whyBlocked;
        this.gate = gate;
        this.keys = keys;
        this.usage = usage;
        this.admission = admission;
        this.gateway = gateway;
        this.clock = clock;
    }

    @FunctionalInterface
    interface Call {
        void handle(ServerRequest req, ServerResponse res, Sessions.Current c) throws Exception;
    }

    io.helidon.webserver.http.Handler api(boolean mutates, Call call) {
        return api(mutates, Gate.Guard.NONE, call);
    }

    /** {@code guard}: what must not be paused for the call to run (403 {@code account_paused} otherwise). */
    io.helidon.webserver.http.Handler api(boolean mutates, Gate.Guard guard, Call call) {
        return (req, res) -> {
            Optional<Sessions.Current> c = gate.current(req);
            if (c.isEmpty()) {
                error(res, 401, "not_signed_in", "Sign in to the portal first.");
            } else if (mutates && !gate.csrfOk(req, null)) {
                error(res, 403, "csrf_token_invalid", "Send the X-CSRF-Token header with the value of the portal's CSRF token.");
            } else if (gate.refusal(c.get(), guard).isPresent()) {
                error(res, 403, "account_paused", gate.pausedMessage(gate.refusal(c.get(), guard).get()));
            } else {
                call.handle(req, res, c.get());
            }
        };
    }

    void register(HttpRouting.Builder r) {
        r.get("/portal/api/me", api(false, this::me));
        r.get("/portal/api/keys", api(false, this::listKeys));
        r.post("/portal/api/keys", api(true, Gate.Guard.ACCOUNT, this::createKey));
        r.delete("/portal/api/keys/{id}", api(true, this::revokeKey));
        r.get("/portal/api/usage-summary", api(false, this::usageSummary));
        r.get("/portal/api/status", api(false, this::status));
        r.post("/portal/api/playground/chat", api(true, Gate.Guard.ACCOUNT, (req, res, c) ->
                gateway.handleAs(keys.playgroundKey(c, Web.clientAddr(req)), OpenAiDialect.CHAT, req, res)));
        r.any("/portal/api/*", (req, res) -> error(res, 404, "not_found", "No such portal API endpoint."));
    }

    private void me(ServerRequest req, ServerResponse res, Sessions.Current c) {
        var plan = admission.plan(new AdmissionControl.AccountRef(c.user().id(), c.account().organizationId())).plan();
        send(res, 200, g -> {
            g.writeStartObject();
            g.writeStringField("email", c.user().email());
            g.writeBooleanField("email_verified", c.user().emailVerified());
            g.writeObjectFieldStart("account");
            g.writeStringField("type", c.account().personal() ? "personal" : "organization");
            if (!c.account().personal()) {
                g.writeNumberField("organization_id", c.account().organizationId());
            }
            g.writeStringField("name", c.account().name());
            g.writeStringField("role", c.account().role());
            g.writeEndObject();
            g.writeStringField("plan", plan.code());
            g.writeEndObject();
        });
    }

    private void listKeys(ServerRequest req, ServerResponse res, Sessions.Current c) {
        send(res, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (KeyStore.Listing k : keys.list(c.account())) {
                key(g, k);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * The request's JSON object (empty body: an empty object), or null after answering 413 or 400; {@code example}
     * shows the expected shape in the error.
     */
    static JsonNode body(ServerRequest req, ServerResponse res, String example) throws IOException {
        JsonNode body;
        try (InputStream in = req.content().inputStream()) {
            byte[] raw = in.readNBytes(Web.MAX_FORM_BYTES + 1);
            if (raw.length > Web.MAX_FORM_BYTES) {
                error(res, 413, "request_too_large", "The body is larger than 64 KB.");
                return null;
            }
            body = raw.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(raw);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            error(res, 400, "invalid_json", "The body must be a JSON object like " + example + ".");
            return null;
        }
        return body;
    }

    private void createKey(ServerRequest req, ServerResponse res, Sessions.Current c) throws IOException {
        JsonNode body = body(req, res, "{\"name\": \"laptop\"}");
        if (body == null) {
            return;
        }
        JsonNode days = body.get("expires_in_days");
        if (days != null && !days.isNull() && !days.canConvertToInt()) {
            error(res, 400, "invalid_value", "expires_in_days must be a whole number of days.");
            return;
        }
        java.util.Map<String, Long> limits = null;
        JsonNode l = body.get("limits");
        if (l != null && !l.isNull()) {
            if (!l.isObject()) {
                error(res, 400, "invalid_value", "limits must be an object like {\"rpm\": 10}.");
                return;
            }
            limits = new java.util.LinkedHashMap<>();
            for (var it = l.fields(); it.hasNext(); ) {
                var e = it.next();
                limits.put(e.getKey(), e.getValue().canConvertToLong() ? e.getValue().asLong() : null);
            }
        }
        try {
            var issued = keys.create(c, body.path("name").asText(""), days == null || days.isNull() ? null : days.asInt(),
                    limits, Web.clientAddr(req));
            var listing = keys.find(c.account(), Long.toString(issued.key().id())).orElseThrow();
            send(res, 201, g -> {
                g.writeStartObject();
                g.writeStringField("key", issued.token());
                g.writeStringField("notice", "This is the only time the key is shown.");
                g.writeFieldName("metadata");
                key(g, listing);
                g.writeEndObject();
            });
        } catch (FormError e) {
            error(res, 400, "invalid_value", e.getMessage());
        }
    }

    private void revokeKey(ServerRequest req, ServerResponse res, Sessions.Current c) {
        String id = req.path().pathParameters().get("id");
        if (!keys.revoke(c, id, Web.clientAddr(req))) {
            error(res, 404, "not_found", "No such key in this account.");
            return;
        }
        send(res, 200, g -> key(g, keys.find(c.account(), id).orElseThrow()));
    }

    private void usageSummary(ServerRequest req, ServerResponse res, Sessions.Current c) {
        int days = req.query().first("days").map(s -> s.equals("30") ? 30 : s.equals("90") ? 90 : 7).orElse(7);
        var scope = new UsageReports.Scope(c.user().id(), c.account().organizationId(), null, null);
        LocalDate today = UsageReports.utcDay(clock.instant());
        var daily = usage.daily(scope, today.minusDays(days - 1), today);
        var totals = usage.totals(scope, clock.instant().minus(Duration.ofDays(days)));
        send(res, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("days", days);
            g.writeNumberField("requests", totals.requests());
            g.writeNumberField("prompt_tokens", totals.promptTokens());
            g.writeNumberField("completion_tokens", totals.completionTokens());
            g.writeArrayFieldStart("daily");
            for (var d : daily) {
                g.writeStartObject();
                g.writeStringField("date", d.day().toString());
                g.writeNumberField("requests", d.requests());
                g.writeNumberField("prompt_tokens", d.promptTokens());
                g.writeNumberField("completion_tokens", d.completionTokens());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * Why requests of this account — or with one of its keys ({@code key=<id>}), optionally for one model
     * ({@code model=<alias>}) — would be refused right now, in the order the gateway applies its rules (the first is
     * the error a request gets); empty = nothing blocks. The same answer as the operators' why-blocked.
     */
    private void status(ServerRequest req, ServerResponse res, Sessions.Current c) {
        var ref = new AdmissionControl.AccountRef(c.user().id(), c.account().organizationId());
        String model = req.query().first("model").orElse(null);
        Optional<String> keyId = req.query().first("key").asOptional();
        List<WhyBlocked.Reason> reasons;
        if (keyId.isPresent()) {
            var key = keys.apiKey(c.account(), keyId.get());
            if (key.isEmpty()) {
                error(res, 404, "not_found", "No such key in this account.");
                return;
            }
            reasons = whyBlocked.forKey(key.get(), model);
        } else {
            reasons = whyBlocked.forAccount(ref, model);
        }
        send(res, 200, g -> {
            g.writeStartObject();
            g.writeBooleanField("blocked", !reasons.isEmpty());
            g.writeArrayFieldStart("reasons");
            for (var r : reasons) {
                g.writeStartObject();
                g.writeStringField("code", r.code());
                g.writeStringField("scope", r.scope());
                g.writeStringField("message", r.message());
                if (r.resetsIn() != null) {
                    g.writeNumberField("resets_in_seconds", Math.max(0, r.resetsIn().toSeconds()));
                }
                if (r.refusal() instanceof Refusal.AccountPaused p) {
                    g.writeStringField("since", p.since() == null ? null : p.since().toString());
                    g.writeStringField("reason", p.reason());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * A request's JSON object body (empty: {@code {}}), or null after answering 413 or 400 — the body must be an
     * object like {@code example}.
     */
    static JsonNode object(ServerRequest req, ServerResponse res, String example) throws IOException {
        JsonNode body;
        try (InputStream in = req.content().inputStream()) {
            byte[] raw = in.readNBytes(Web.MAX_FORM_BYTES + 1);
            if (raw.length > Web.MAX_FORM_BYTES) {
                error(res, 413, "request_too_large", "The body is larger than 64 KB.");
                return null;
            }
            body = raw.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(raw);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            error(res, 400, "invalid_json", "The body must be a JSON object like " + example + ".");
            return null;
        }
        return body;
    }

    private static void key(JsonGenerator g, KeyStore.Listing k) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", k.id());
        g.writeStringField("name", k.name());
        g.writeStringField("prefix", k.prefix());
        g.writeStringField("status", k.state());
        g.writeStringField("created_at", k.createdAt().toString());
        g.writeStringField("last_used_at", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
        g.writeStringField("expires_at", k.expiresAt() == null ? null : k.expiresAt().toString());
        g.writeStringField("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
        g.writeEndObject();
    }

    static void send(ServerResponse res, int status, Json.Body body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.write(body));
    }

    static void error(ServerResponse res, int status, String code, String message) {
        send(res, status, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("code", code);
            g.writeStringField("message", message);
            g.writeEndObject();
            g.writeEndObject();
        });
    }
}
