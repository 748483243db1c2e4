package ai.cortensor.portal.dialects.messages;

import ai.cortensor.portal.families.Family;
import ai.cortensor.portal.families.Reasoning;
import ai.cortensor.portal.families.RenderRefused;
import ai.cortensor.portal.families.Rendered;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.AdmissionRules;
import ai.cortensor.portal.pools.Model;
import ai.cortensor.portal.usage.TokenCounter;
import ai.cortensor.portal.gateway.BoundedBody;
import ai.cortensor.portal.gateway.Gateway;
import ai.cortensor.portal.gateway.Refusals;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.WebHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * {@code POST /v1/messages/count_tokens}: the Messages body without {@code max_tokens}, {@code stream} and
 * sampling, answered with {@code {"input_tokens": N}}, N being the gateway tokenizer's count of the prompt the
 * model's family renders for it (system, tools, messages and the start of the answer). It is not an inference:
 * no router is asked, nothing is metered, no request limit is charged and no request-log row is written. The key
 * is checked as on every route (401, 403 for a paused account), and the model by the same rules as an inference:
 * unknown (404 {@code model_not_found}), disabled (404 {@code model_disabled}), paused or without capacity (503
 * {@code model_unavailable}), not in the plan (403). A model without capacity is refused too, although nothing is
 * sent to a router, so a client learns the state before it sends the real request.
 */
public final class CountTokensHandler {
    public static final String PATH = "/v1/messages/count_tokens";

    private final ApiKeys keys;
    private final AdmissionRules rules;
    private final TokenCounter tokens;
    private final InstantSource clock;
    private final long maxBodyBytes;
    private final java.time.Duration bodyTimeout;

    public CountTokensHandler(ApiKeys keys, AdmissionRules rules, TokenCounter tokens,
                              InstantSource clock, long maxBodyBytes, java.time.Duration bodyTimeout) {
        this.keys = keys;
        this.rules = rules;
        this.tokens = tokens;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = bodyTimeout;
    }

    public void handle(ServerRequest req, ServerResponse res) {
        String requestId = WebHeaders.requestId(res);
        int count;
        try {
            count = count(req);
        } catch (ApiError e) {
            AnthropicErrors.send(res, e, requestId);
            return;
        }
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(("{\"input_tokens\":" + count + "}").getBytes(StandardCharsets.US_ASCII));
    }

    private int count(ServerRequest req) {
        ApiKey key = Gateway.authenticate(keys, rules, MessagesDialect.credentialOf(req));
        MessagesParser.Parsed p = MessagesParser.parse(BoundedBody.request(req, maxBodyBytes, bodyTimeout), MessagesParser.Mode.COUNT);
        AdmissionRules.ModelLookup found = rules.lookup(p.model());
        if (found.refusal() != null) {
            throw Refusals.error(found.refusal());
        }
        Model model = found.model();
        if (rules.serve(model, AdmissionControl.AccountRef.of(key)) instanceof AdmissionRules.ModelDecision.Refused r) {
            throw Refusals.error(r.refusal());
        }
        Family family = model.family();
        Reasoning r = p.conversation().reasoning();
        if (!family.reasons() && (Boolean.TRUE.equals(r.thinking()) || r.effort() != null)) {
            throw Checks.unsupported(Boolean.TRUE.equals(r.thinking()) ? "thinking" : "output_config.effort",
                    "The model '" + model.alias() + "' does not reason.");
        }
        Rendered rendered;
        try {
            rendered = family.render(p.conversation(), LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
        } catch (RenderRefused e) {
            throw ApiError.invalidRequest("invalid_value", p.origins().field(e.param()), e.getMessage());
        }
        return tokens.count(rendered.prompt());
    }
}
