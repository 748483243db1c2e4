package ai.cortensor.portal.dialects.openai;

import ai.cortensor.portal.gateway.Gateway;
import ai.cortensor.portal.gateway.Refusals;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.plans.AdmissionRules;
import ai.cortensor.portal.plans.Refusal;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Model;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.ErrorResponses;
import ai.cortensor.portal.json.Json;
import ai.cortensor.portal.web.WebHeaders;
import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the OpenAI model object plus OpenRouter-style catalog
 * fields ({@code name}, {@code description}, {@code context_length}, {@code max_output_tokens},
 * {@code pricing} in USD per token as decimal strings: {@code prompt}, {@code completion}, and {@code internal_reasoning}
 * when reasoning tokens have their own price). The list is public and holds the models offered (enabled and
 * paused; disabled ones are withdrawn); a key, when sent, must be one the admission rules accept. One model answers
 * as a request for it would, by the same rules, at the model's level: 404 {@code model_not_found}, 404
 * {@code model_disabled}, 503 {@code model_unavailable} with {@code Retry-After} while it is paused or no pool of it
 * can take a request (the plan's entitlement is a property of a key, not of the model, and is not checked here).
 */
public final class ModelsHandler {
    private final ApiKeys keys;
    private final AdmissionRules rules;
    private final Catalog catalog;
    private final List<String> endpoints;

    /** {@code endpoints}: the inference routes every model is served on, listed as its supported endpoints. */
    public ModelsHandler(ApiKeys keys, AdmissionRules rules, Catalog catalog, List<String> endpoints) {
        this.keys = keys;
        this.rules = rules;
        this.catalog = catalog;
        this.endpoints = List.copyOf(endpoints);
    }

    public void list(ServerRequest req, ServerResponse res) {
        String requestId = begin(req, res);
        if (requestId == null) {
            return;
        }
        List<Model> models = catalog.offered();
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (Model m : models) {
                model(g, m);
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    public void one(ServerRequest req, ServerResponse res) {
        String requestId = begin(req, res);
        if (requestId == null) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        AdmissionRules.ModelLookup found = rules.lookup(id);
        Refusal refusal = found.refusal() != null ? found.refusal()
                : catalog.serviceable(found.model()) ? null : rules.unavailable(found.model());
        if (refusal != null) {
            ErrorResponses.send(res, Refusals.error(refusal), requestId);
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.write(g -> model(g, found.model())));
    }

    /** Sets the request id; returns null after answering the error when a key was sent and is not accepted. */
    private String begin(ServerRequest req, ServerResponse res) {
        String requestId = WebHeaders.requestId(res);
        var auth = req.headers().first(HeaderNames.AUTHORIZATION);
        if (auth.isPresent()) {
            try {
                Gateway.authenticate(keys, rules, auth.get());
            } catch (ApiError e) {
                ErrorResponses.send(res, e, requestId);
                return null;
            }
        }
        return requestId;
    }

    /** OpenRouter's {@code supported_parameters}: what docs/api.md's compatibility table says is honoured. */
    private static final List<String> PARAMETERS = List.of("max_tokens", "temperature", "top_p", "top_k", "stop",
            "presence_penalty", "frequency_penalty", "tools", "tool_choice", "parallel_tool_calls", "response_format",
            "structured_outputs");
    private static final List<String> REASONING_PARAMETERS = java.util.stream.Stream.concat(PARAMETERS.stream(),
            java.util.stream.Stream.of("reasoning_effort")).toList();

    private void model(JsonGenerator g, Model m) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", m.alias());
        g.writeStringField("object", "model");
        g.writeNumberField("created", m.createdAt().getEpochSecond());
        g.writeStringField("owned_by", m.ownedBy());
        g.writeStringField("name", m.displayName());
        g.writeStringField("description", m.description());
        g.writeNumberField("context_length", m.contextLength());
        g.writeNumberField("max_output_tokens", m.maxOutputTokens());
        g.writeObjectFieldStart("pricing");
        g.writeStringField("prompt", perToken(m.promptPrice()));
        g.writeStringField("completion", perToken(m.completionPrice()));
        if (m.reasoningPrice() != null) { // OpenRouter's name for reasoning tokens priced apart from the output
            g.writeStringField("internal_reasoning", perToken(m.reasoningPrice()));
        }
        g.writeEndObject();
        g.writeStringField("family", m.family().id());
        g.writeArrayFieldStart("supported_parameters");
        for (String param : m.family().reasons() ? REASONING_PARAMETERS : PARAMETERS) {
            g.writeString(param);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("supported_endpoints");
        for (String endpoint : endpoints) {
            g.writeString(endpoint);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** micro-USD per million tokens → USD per token, exact decimal. */
    private static String perToken(long microsPerMillion) {
        return BigDecimal.valueOf(microsPerMillion).movePointLeft(12).stripTrailingZeros().toPlainString();
    }
}
