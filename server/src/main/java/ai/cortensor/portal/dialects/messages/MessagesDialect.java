package ai.cortensor.portal.dialects.messages;

import ai.cortensor.portal.gateway.Dialect;
import ai.cortensor.portal.gateway.Exchange;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.web.ApiError;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Anthropic's Messages API, {@code POST /v1/messages}: bodies read by {@link MessagesParser}, answers written by
 * {@link MessagesExchange}, errors as Anthropic's error object ({@link AnthropicErrors}). Keys come in
 * {@code x-api-key} (Anthropic's SDKs) or {@code Authorization: Bearer}. {@code anthropic-version} and
 * {@code anthropic-beta} are accepted with any value: every feature a beta turns on shows in the body, where it is
 * honoured or refused like any field.
 */
public final class MessagesDialect implements Dialect {
    public static final String PATH = "/v1/messages";
    static final HeaderName API_KEY = HeaderNames.create("x-api-key");

    @Override
    public String name() {
        return "messages";
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public String credential(ServerRequest req) {
        return credentialOf(req);
    }

    /** {@code x-api-key} as a bearer credential, else the {@code Authorization} header. */
    static String credentialOf(ServerRequest req) {
        String key = req.headers().first(API_KEY).orElse(null);
        if (key != null && !key.isBlank()) {
            return "Bearer " + key.strip();
        }
        return req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    }

    @Override
    public Exchange parse(byte[] body, ApiKey caller) {
        MessagesParser.Parsed p = MessagesParser.parse(body, MessagesParser.Mode.CREATE);
        return new MessagesExchange(new InferenceRequest(p.model(), p.conversation(), null, p.stream(), p.maxTokens(),
                p.sampling(), "max_tokens", "messages"), p.omitThinking(), p.origins());
    }

    @Override
    public byte[] errorBody(ApiError error, String requestId) {
        return AnthropicErrors.body(error, requestId);
    }
}
