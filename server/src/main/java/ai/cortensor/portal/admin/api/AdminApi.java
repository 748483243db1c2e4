package ai.cortensor.portal.admin.api;

import ai.cortensor.portal.admin.Accounting;
import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.InspectionStore;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.admin.Operator;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.OperatorToken;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.json.Json;
import ai.cortensor.portal.web.Web;
import ai.cortensor.portal.web.WebHeaders;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator API under {@code /admin/api} (docs/admin-api.md): {@code Authorization: Bearer ctop_…} only — API
 * keys and portal sessions are refused. Answers JSON (snake_case); errors are JSON problems
 * {@code {"error":{"code","message","request_id"}}}, never a stack trace. Mutations are POSTs with a JSON body
 * carrying {@code reason}.
 */
public final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    public static final ObjectMapper JSON = Json.MAPPER.copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final Operations ops;
    private final OperatorStore operators;

    public AdminApi(Operations ops, OperatorStore operators) {
        this.ops = ops;
        this.operators = operators;
    }

    /** What one call needs: who asks (as the audit log records it), the request and its parsed body. */
    record Call(Operator operator, Actor actor, ServerRequest req, JsonNode body) {
        String param(String name) {
            return req.path().pathParameters().get(name);
        }

        String query(String name) {
            return req.query().first(name).filter(s -> !s.isBlank()).orElse(null);
        }

        Integer intQuery(String name) {
            String v = query(name);
            try {
                return v == null ? null : Integer.valueOf(v);
            } catch (NumberFormatException e) {
                throw ActionRefused.invalid("invalid_" + name, name + " must be a whole number.");
            }
        }

        Long longQuery(String name) {
            String v = query(name);
            try {
                return v == null ? null : Long.valueOf(v);
            } catch (NumberFormatException e) {
                throw ActionRefused.invalid("invalid_" + name, name + " must be a whole number.");
            }
        }

        Instant time(String name) {
            String v = query(name);
            try {
                return v == null ? null : Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw ActionRefused.invalid("invalid_" + name, name + " must be an instant like 2026-01-31T12:00:00Z.");
            }
        }

        String reason() {
            JsonNode r = body.get("reason");
            return r == null || !r.isTextual() ? null : r.asText();
        }

        String field(String name) {
            JsonNode v = body.get(name);
            return v == null || !v.isTextual() ? null : v.asText();
        }

        Integer intField(String name) {
            JsonNode v = body.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw ActionRefused.invalid("invalid_" + name, name + " must be a whole number.");
            }
            return v.intValue();
        }

        /** A whole number (JSON integer, not a string or a decimal) that fits a long; null when absent or null. */
        Long longField(String name) {
            JsonNode v = body.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw ActionRefused.invalid("invalid_" + name, name + " must be a whole number (a JSON integer, "
                        + "not a string or a decimal); got " + v + ".");
            }
            return v.longValue();
        }

        /** Refuses a body field this endpoint does not take (a misspelt one would otherwise be ignored). */
        void only(String... fields) {
            java.util.Set<String> known = java.util.Set.of(fields);
            body.fieldNames().forEachRemaining(f -> {
                if (!known.contains(f)) {
                    throw ActionRefused.invalid("unknown_field", "Unknown field '" + f + "'; this endpoint takes "
                            + String.join(", ", fields) + ".");
                }
            });
        }

        String header(String name) {
            return req.headers().first(io.helidon.http.HeaderNames.create(name)).map(String::strip).orElse(null);
        }

        java.time.LocalDate date(String name) {
            String v = query(name);
            try {
                return v == null ? null : java.time.LocalDate.parse(v);
            } catch (DateTimeParseException e) {
                throw ActionRefused.invalid("invalid_" + name, name + " must be a day like 2026-01-31 (UTC).");
            }
        }

        /**
         * A JSON object of whole numbers or nulls ({@code {"rpm": 100, "tpm": null}}), in its order; refused with
         * {@code invalid_<name>} naming the first bad entry.
         */
        Map<String, Long> numbers(String name) {
            JsonNode v = body.get(name);
            if (v == null || !v.isObject()) {
                throw ActionRefused.invalid("invalid_" + name, name + " must be an object like {\"rpm\": 100, \"tpm\": null}.");
            }
            Map<String, Long> out = new java.util.LinkedHashMap<>();
            for (var it = v.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode n = e.getValue();
                if (n.isNull()) {
                    out.put(e.getKey(), null);
                } else if (n.isIntegralNumber() && n.canConvertToLong()) {
                    out.put(e.getKey(), n.longValue());
                } else {
                    throw ActionRefused.invalid("invalid_" + name, name + "." + e.getKey()
                            + " must be a whole number, or null to remove it.");
                }
            }
            return out;
        }

        java.util.List<String> names(String name) {
            JsonNode v = body.get(name);
            if (v == null || !v.isArray()) {
                throw ActionRefused.invalid("invalid_" + name, name + " must be an array of names.");
            }
            java.util.List<String> out = new java.util.ArrayList<>();
            v.forEach(n -> {
                if (!n.isTextual()) {
                    throw ActionRefused.invalid("invalid_" + name, name + " must be an array of names.");
                }
                out.add(n.asText());
            });
            return out;
        }
    }

    @FunctionalInterface
    interface Action {
        Object run(Call c);
    }

    public void register(HttpRouting.Builder r) {
        r.get("/admin/api/me", read(c -> Map.of("email", c.operator().email(), "role", c.operator().role().code())));
        r.get("/admin/api/search", read(c -> ops.find().find(c.query("q"), c.intQuery("limit"))));
        r.get("/admin/api/users", read(c -> ops.find().users(c.query("q"), c.query("cursor"), c.intQuery("limit"))));
        r.get("/admin/api/users/{ref}", read(c -> ops.user(c.param("ref"))));
        r.get("/admin/api/organizations", read(c -> ops.find().organizations(c.query("q"), c.query("cursor"),
                c.intQuery("limit"))));
        r.get("/admin/api/organizations/{ref}", read(c -> ops.organization(c.param("ref"))));
        r.get("/admin/api/accounts/by-usage", read(c -> ops.find().accountsByUsage(c.query("window"), c.query("by"),
                c.query("cursor"), c.intQuery("limit"))));
        r.post("/admin/api/accounts/{account}/plan", write(c -> ops.plans().changePlan(c.param("account"),
                c.field("plan"), c.reason(), c.actor())));
        r.get("/admin/api/accounts/{account}/limits", read(c -> ops.plans().overrides(c.param("account"))));
        r.post("/admin/api/accounts/{account}/limits", write(c -> ops.plans().setLimits(c.param("account"),
                c.numbers("limits"), c.reason(), c.actor())));
        r.get("/admin/api/plans", read(c -> Map.of("data", ops.plans().plans())));
        r.get("/admin/api/traffic", read(c -> ops.traffic(c.query("window"))));
        r.get("/admin/api/accounts/{account}/status", read(c -> ops.accountStatus(c.param("account"), c.query("model"))));
        r.post("/admin/api/accounts/{account}/pause", write(c -> ops.pauseAccount(c.param("account"), c.reason(), c.actor())));
        r.post("/admin/api/accounts/{account}/unpause", write(c -> ops.unpauseAccount(c.param("account"), c.reason(), c.actor())));
        r.get("/admin/api/keys", read(c -> {
            if (c.query("q") == null) {
                return ops.keys(c.query("account"), c.query("state"), c.query("cursor"), c.intQuery("limit"));
            }
            if (c.query("account") != null || c.query("state") != null) {
                throw ActionRefused.invalid("invalid_query", "q searches every key; it cannot be combined with account or state.");
            }
            return ops.find().keys(c.query("q"), c.query("cursor"), c.intQuery("limit"));
        }));
        r.get("/admin/api/keys/{ref}", read(c -> ops.key(c.param("ref"))));
        r.get("/admin/api/keys/{ref}/status", read(c -> ops.keyStatus(c.param("ref"), c.query("model"))));
        r.post("/admin/api/keys/{ref}/revoke", write(c -> ops.revokeKey(c.param("ref"), c.reason(), c.actor())));
        r.get("/admin/api/models", read(c -> Map.of("data", ops.models())));
        r.post("/admin/api/models/{alias}/enable", write(c -> ops.setModelState(c.param("alias"), "enabled", c.reason(), c.actor())));
        r.post("/admin/api/models/{alias}/pause", write(c -> ops.setModelState(c.param("alias"), "paused", c.reason(), c.actor())));
        r.post("/admin/api/models/{alias}/resume", write(c -> ops.setModelState(c.param("alias"), "enabled", c.reason(), c.actor())));
        r.post("/admin/api/models/{alias}/disable", write(c -> ops.setModelState(c.param("alias"), "disabled", c.reason(), c.actor())));
        r.post("/admin/api/models/{alias}/family", write(c -> ops.setModelFamily(c.param("alias"), c.field("family"),
                c.reason(), c.actor())));
        r.post("/admin/api/models/{alias}/pools", write(c -> ops.mapModel(c.param("alias"), c.names("pools"),
                c.reason(), c.actor())));
        r.post("/admin/api/models/{alias}/prices", write(c -> {
            c.only("input_price", "output_price", "reasoning_price", "reason");
            for (String f : new String[] {"input_price", "output_price"}) {
                if (c.body().has(f) && c.body().get(f).isNull()) {
                    throw ActionRefused.invalid("invalid_" + f, f + " cannot be null; leave it out to keep it.");
                }
            }
            // a price left out stays; "reasoning_price": null prices reasoning tokens at the output price again
            return ops.setModelPrices(c.param("alias"), c.longField("input_price"), c.longField("output_price"),
                    c.body().has("reasoning_price"), c.longField("reasoning_price"), c.reason(), c.actor());
        }));
        r.get("/admin/api/accounts/{account}/balance", read(c -> ops.accounting().balance(c.param("account"))));
        r.get("/admin/api/accounts/{account}/ledger", read(c -> ops.accounting().ledger(c.param("account"),
                c.query("cursor"), c.intQuery("limit"))));
        r.post("/admin/api/accounts/{account}/credits", write(c -> {
            c.only("amount_micros", "reason");
            return ops.accounting().grant(c.param("account"), c.longField("amount_micros"), c.reason(),
                    c.header("Idempotency-Key"), c.actor());
        }));
        r.post("/admin/api/accounts/{account}/adjustments", write(c -> {
            c.only("amount_micros", "reason");
            return ops.accounting().adjust(c.param("account"), c.longField("amount_micros"), c.reason(),
                    c.header("Idempotency-Key"), c.actor());
        }));
        r.get("/admin/api/billing/balances", read(c -> ops.accounting().balances(c.query("sort"), c.query("cursor"),
                c.intQuery("limit"))));
        r.get("/admin/api/billing/spend", read(c -> ops.accounting().spend(c.date("from"), c.date("to"),
                c.query("account"))));
        r.get("/admin/api/billing/reconcile", read(c -> ops.accounting().reconcile()));
        r.get("/admin/api/pools", read(c -> Map.of("data", ops.pools())));
        r.post("/admin/api/pools/{pool}/targets/{target}/capacity", write(c -> ops.setTargetCapacity(c.param("pool"),
                c.param("target"), c.intField("weight"), c.intField("max_concurrency"), c.reason(), c.actor())));
        r.post("/admin/api/pools/{pool}/pause", write(c -> ops.setPoolState(c.param("pool"), "paused", c.reason(), c.actor())));
        r.post("/admin/api/pools/{pool}/drain", write(c -> ops.setPoolState(c.param("pool"), "draining", c.reason(), c.actor())));
        r.post("/admin/api/pools/{pool}/resume", write(c -> ops.setPoolState(c.param("pool"), "live", c.reason(), c.actor())));
        r.post("/admin/api/pools/{pool}/targets/{target}/enable", write(c -> ops.setTargetEnabled(c.param("pool"),
                c.param("target"), true, c.reason(), c.actor())));
        r.post("/admin/api/pools/{pool}/targets/{target}/disable", write(c -> ops.setTargetEnabled(c.param("pool"),
                c.param("target"), false, c.reason(), c.actor())));
        r.get("/admin/api/requests", read(c -> ops.inspection().requests(new InspectionStore.RequestFilter(
                c.query("account") == null ? null : ops.account(c.query("account")), c.longQuery("user"),
                c.longQuery("key"), c.query("model"), c.query("pool"), c.query("status"), c.time("from"),
                c.time("to")), c.query("cursor"), c.intQuery("limit"))));
        r.get("/admin/api/requests/{id}", read(c -> ops.inspection().request(c.param("id"))));
        r.get("/admin/api/audit", read(c -> ops.inspection().audit(new InspectionStore.AuditFilter(c.query("actor"),
                c.query("action"), c.query("target_type"), c.query("target_id"), c.time("from"), c.time("to")),
                c.query("cursor"), c.intQuery("limit"))));
        r.get("/admin/api/operators", read(c -> Map.of("data", ops.operators())));
        r.post("/admin/api/operators", write(c -> {
            OperatorStore.Issued issued = ops.createOperator(c.field("email"), c.field("role"), c.reason(), c.actor());
            return Map.of("operator", issued.operator(), "token", issued.token(),
                    "notice", "This is the only time the token is shown.");
        }));
        r.post("/admin/api/operators/{email}/disable", write(c -> ops.disableOperator(c.param("email"), c.reason(),
                c.actor())));
        r.any("/admin/api", this::unknown);
        r.any("/admin/api/*", this::unknown);
    }

    private Handler read(Action a) {
        return (req, res) -> handle(req, res, false, a);
    }

    private Handler write(Action a) {
        return (req, res) -> handle(req, res, true, a);
    }

    private void unknown(ServerRequest req, ServerResponse res) {
        if (authenticate(req, res).isPresent()) {
            problem(res, 404, "not_found", "No such admin API endpoint: " + req.prologue().method().text() + " "
                    + req.path().path() + ".");
        }
    }

    private void handle(ServerRequest req, ServerResponse res, boolean mutates, Action action) {
        String requestId = WebHeaders.requestId(res);
        Optional<Operator> op = authenticate(req, res);
        if (op.isEmpty()) {
            return;
        }
        try {
            JsonNode body = mutates ? body(req) : JSON.createObjectNode();
            Object result = action.run(new Call(op.get(), op.get().actor(requestId, clientAddr(req)), req, body));
            int status = 200;
            if (mutates && result instanceof Map<?, ?> m && m.containsKey("token")) {
                status = 201;
            } else if (result instanceof Operations.Done<?> d && d.result() instanceof Accounting.Credited credited) {
                // a new ledger entry is created; a repeated Idempotency-Key answers the earlier one (Stripe's header)
                status = credited.replayed() ? 200 : 201;
                if (credited.replayed()) {
                    res.header(HeaderNames.create("Idempotent-Replayed"), "true");
                }
            }
            send(res, status, result);
        } catch (ActionRefused e) {
            problem(res, e.kind().status, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("admin API failure on {} {} (request {})", req.prologue().method().text(), req.path().path(),
                    requestId, e);
            problem(res, 500, "internal_error", "The server failed to do this. Quote the request id when reporting it.");
        }
    }

    /** The operator behind the bearer token, or empty after answering 401. */
    private Optional<Operator> authenticate(ServerRequest req, ServerResponse res) {
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            problem(res, 401, "missing_operator_token",
                    "Send an operator token as 'Authorization: Bearer ctop_…' (create one with 'portal admin create-operator').");
            return Optional.empty();
        }
        String token = auth.substring(7).strip();
        if (!token.startsWith(OperatorToken.PREFIX)) {
            problem(res, 401, "invalid_operator_token", "Only operator tokens (ctop_…) are accepted here; API keys are not.");
            return Optional.empty();
        }
        Optional<Operator> op = operators.authenticate(token);
        if (op.isEmpty()) {
            problem(res, 401, "invalid_operator_token", "The operator token is unknown or revoked.");
        }
        return op;
    }

    private static JsonNode body(ServerRequest req) {
        try (InputStream in = req.content().inputStream()) {
            byte[] raw = in.readNBytes(MAX_BODY_BYTES + 1);
            if (raw.length > MAX_BODY_BYTES) {
                throw new ActionRefused(ActionRefused.Kind.INVALID, "request_too_large", "The body is larger than 64 KB.");
            }
            JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            if (body == null || !body.isObject()) {
                throw ActionRefused.invalid("invalid_json", "The body must be a JSON object like {\"reason\": \"…\"}.");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw ActionRefused.invalid("invalid_json", "The body must be a JSON object like {\"reason\": \"…\"}.");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String clientAddr(ServerRequest req) {
        return Web.clientAddr(req);
    }

    private static void send(ServerResponse res, int status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("admin API response is not serializable", e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(bytes);
    }

    static void problem(ServerResponse res, int status, String code, String message) {
        String requestId = WebHeaders.requestId(res);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("code", code);
            g.writeStringField("message", message);
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
            g.writeEndObject();
        }));
    }
}
