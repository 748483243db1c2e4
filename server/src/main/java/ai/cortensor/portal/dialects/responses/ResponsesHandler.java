package ai.cortensor.portal.dialects.responses;

import ai.cortensor.portal.gateway.Gateway;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.plans.AdmissionRules;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.ErrorResponses;
import ai.cortensor.portal.json.Json;
import ai.cortensor.portal.web.WebHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The stored-response routes: {@code GET /v1/responses/{id}} (the response object as it was returned),
 * {@code DELETE /v1/responses/{id}} and {@code POST /v1/responses/{id}/cancel} (400: only background responses can be
 * cancelled, and those are not offered). Authenticated with the API key like every {@code /v1} call; a response of
 * another account, an expired one, or any while storage is off, is a 404 — never a 403, so ids reveal nothing.
 */
public final class ResponsesHandler {
    private final ApiKeys keys;
    private final AdmissionRules rules;
    private final StoredResponses stored;

    public ResponsesHandler(ApiKeys keys, AdmissionRules rules, StoredResponses stored) {
        this.keys = keys;
        this.rules = rules;
        this.stored = stored;
    }

    public void retrieve(ServerRequest req, ServerResponse res) {
        String requestId = WebHeaders.requestId(res);
        try {
            ApiKey key = authenticate(req);
            checkQuery(req, Set.of("stream", "include", "include[]", "include_obfuscation", "starting_after"));
            var q = req.query();
            if (q.first("stream").map(Boolean::parseBoolean).orElse(false) || q.contains("starting_after")) {
                throw ApiError.invalidRequest("unsupported_parameter", q.contains("stream") ? "stream"
                        : "starting_after", "Only background responses can be streamed again, and background "
                        + "responses are not supported.");
            }
            if (q.contains("include") || q.contains("include[]")) {
                throw ApiError.invalidRequest("unsupported_parameter", "include", "Nothing can be included: stored "
                        + "responses are returned as they were created.");
            }
            String id = id(req);
            var found = stored.find(id, key).orElseThrow(() -> notFound(id));
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(found.body().getBytes(StandardCharsets.UTF_8));
        } catch (ApiError e) {
            ErrorResponses.send(res, e, requestId);
        }
    }

    public void delete(ServerRequest req, ServerResponse res) {
        String requestId = WebHeaders.requestId(res);
        try {
            ApiKey key = authenticate(req);
            checkQuery(req, Set.of());
            String id = id(req);
            if (!stored.delete(id, key)) {
                throw notFound(id);
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(Json.write(g -> {
                g.writeStartObject();
                g.writeStringField("id", id);
                g.writeStringField("object", "response");
                g.writeBooleanField("deleted", true);
                g.writeEndObject();
            }));
        } catch (ApiError e) {
            ErrorResponses.send(res, e, requestId);
        }
    }

    /** A visible response exists but is not a background one, so it cannot be cancelled; otherwise 404. */
    public void cancel(ServerRequest req, ServerResponse res) {
        String requestId = WebHeaders.requestId(res);
        try {
            ApiKey key = authenticate(req);
            checkQuery(req, Set.of());
            String id = id(req);
            stored.find(id, key).orElseThrow(() -> notFound(id));
            throw ApiError.invalidRequest("invalid_value", null, "Only responses created with 'background': true can "
                    + "be cancelled, and background responses are not supported; the response '" + id
                    + "' is already complete.");
        } catch (ApiError e) {
            ErrorResponses.send(res, e, requestId);
        }
    }

    private ApiKey authenticate(ServerRequest req) {
        return Gateway.authenticate(keys, rules, req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
    }

    private static void checkQuery(ServerRequest req, Set<String> allowed) {
        for (String name : req.query().names()) {
            if (!allowed.contains(name)) {
                throw ApiError.invalidRequest("unknown_parameter", name, "Unrecognized request argument supplied: '"
                        + name + "'.");
            }
        }
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private static ApiError notFound(String id) {
        return ApiError.notFound("response_not_found", null, "Response with id '" + id + "' not found.");
    }
}
