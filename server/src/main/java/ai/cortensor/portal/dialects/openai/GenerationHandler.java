package ai.cortensor.portal.dialects.openai;

import ai.cortensor.portal.gateway.Gateway;
import ai.cortensor.portal.json.Json;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.plans.AdmissionRules;
import ai.cortensor.portal.usage.SpendReports;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.ErrorResponses;
import ai.cortensor.portal.web.RequestIds;
import ai.cortensor.portal.web.WebHeaders;
import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/generation?id=<request id>}: one request of the caller's account as OpenRouter's generation object
 * ({@code {"data": {...}}}, their field names where they have one), plus our integer {@code total_cost_micros}.
 * Authenticated with the API key like every {@code /v1} call. Another account's request is the same 404
 * {@code generation_not_found} as an unknown id, so ids reveal nothing; a recent id whose usage is not written yet
 * gets that 404 with "retry shortly" (usage is written within seconds of a request's end).
 */
public final class GenerationHandler {
    private static final Logger log = LoggerFactory.getLogger(GenerationHandler.class);

    private final ApiKeys keys;
    private final AdmissionRules rules;
    private final SpendReports spend;
    private final InstantSource clock;
    private final Duration stillRunning;

    /** {@code stillRunning}: how long after its id was made a request may still be running or being written. */
    public GenerationHandler(ApiKeys keys, AdmissionRules rules, SpendReports spend, InstantSource clock,
                             Duration stillRunning) {
        this.keys = keys;
        this.rules = rules;
        this.spend = spend;
        this.clock = clock;
        this.stillRunning = stillRunning;
    }

    public void get(ServerRequest req, ServerResponse res) {
        String requestId = WebHeaders.requestId(res);
        try {
            ApiKey key = Gateway.authenticate(keys, rules, req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
            for (String name : req.query().names()) {
                if (!name.equals("id")) {
                    throw ApiError.invalidRequest("unknown_parameter", name, "Unrecognized request argument "
                            + "supplied: '" + name + "'. Ask for a generation with ?id=<request id>.");
                }
            }
            String id = req.query().first("id").map(String::strip).orElse("");
            if (id.isEmpty()) {
                throw ApiError.invalidRequest("missing_required_parameter", "id", "Missing required parameter: "
                        + "'id' (the request id of the x-request-id header, e.g. ?id=req_01K…).");
            }
            SpendReports.Generation g;
            try {
                g = spend.generation(id, key.userId(), key.organizationId()).orElseThrow(() -> notFound(id));
            } catch (JdbiException e) {
                log.warn("generation lookup of {} failed: {}", id, e.toString());
                throw ApiError.server(503, "usage_unavailable", "Requests cannot be looked up right now. Please "
                        + "retry shortly.");
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(Json.write(out -> write(out, g)));
        } catch (ApiError e) {
            ErrorResponses.send(res, e, requestId);
        }
    }

    /** Unknown, another account's, or not written yet: one answer, whose advice depends only on the id's age. */
    private ApiError notFound(String id) {
        Instant made = RequestIds.time(id);
        Instant now = clock.instant();
        if (made != null && !made.isBefore(now.minus(stillRunning)) && !made.isAfter(now.plusSeconds(60))) {
            return new ApiError(404, "invalid_request_error", "generation_not_found", "id", "No request '" + id
                    + "' is recorded for this account yet. A request's usage is written within seconds after it "
                    + "ends (a stream: after its last event); retry shortly.", 2L);
        }
        return ApiError.notFound("generation_not_found", "id", "No request '" + id + "' in this account. Request "
                + "ids are in the x-request-id header of every response.");
    }

    private static void write(JsonGenerator g, SpendReports.Generation r) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("data");
        g.writeStringField("id", r.requestId());
        g.writeStringField("model", r.model());
        g.writeStringField("created_at", r.createdAt().toString());
        g.writeBooleanField("streamed", r.stream());
        g.writeBooleanField("cancelled", "cancelled".equals(r.status()));
        g.writeStringField("finish_reason", r.finishReason());
        number(g, "tokens_prompt", r.promptTokens());
        number(g, "tokens_completion", r.completionTokens());
        // "native": as the router counted them; null where the gateway had to count (tokens_estimated)
        number(g, "native_tokens_prompt", r.tokensEstimated() ? null : r.promptTokens());
        number(g, "native_tokens_completion", r.tokensEstimated() ? null : r.completionTokens());
        number(g, "native_tokens_reasoning", r.reasoningTokens());
        long micros = r.costMicros() == null ? 0 : r.costMicros();
        g.writeFieldName("total_cost");
        g.writeNumber(BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString());
        g.writeNumberField("total_cost_micros", micros);
        g.writeNumberField("latency", r.latencyMs());
        number(g, "generation_time", r.ttftMs() == null ? null : Math.max(0, r.latencyMs() - r.ttftMs()));
        number(g, "time_to_first_token", r.ttftMs());
        g.writeBooleanField("is_byok", false);
        g.writeStringField("api", r.route());
        g.writeStringField("status", r.status());
        g.writeNumberField("http_status", r.httpStatus());
        g.writeStringField("error_code", r.errorCode());
        g.writeBooleanField("tokens_estimated", r.tokensEstimated());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void number(JsonGenerator g, String field, Integer value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value);
        }
    }
}
