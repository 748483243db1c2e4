package ai.cortensor.portal.dialects.openai;

import ai.cortensor.portal.gateway.Dialect;
import ai.cortensor.portal.gateway.Exchange;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.ErrorResponses;

/**
 * OpenAI Chat Completions ({@link #CHAT}) and Completions ({@link #COMPLETIONS}): bodies read by
 * {@link RequestParser}, answers written by {@link OpenAiExchange}, errors as OpenAI's error object.
 */
public final class OpenAiDialect implements Dialect {
    public static final OpenAiDialect CHAT = new OpenAiDialect(Route.CHAT);
    public static final OpenAiDialect COMPLETIONS = new OpenAiDialect(Route.TEXT);

    private final Route route;

    private OpenAiDialect(Route route) {
        this.route = route;
    }

    @Override
    public String name() {
        return route.dialect();
    }

    @Override
    public String path() {
        return route.path();
    }

    @Override
    public Exchange parse(byte[] body, ApiKey caller) {
        return RequestParser.parse(route, body);
    }

    @Override
    public byte[] errorBody(ApiError error, String requestId) {
        return ErrorResponses.body(error, requestId);
    }
}
