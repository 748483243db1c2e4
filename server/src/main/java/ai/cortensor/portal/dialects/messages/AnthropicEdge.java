package ai.cortensor.portal.dialects.messages;

import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.WebHeaders;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;

/**
 * What Anthropic's clients expect around the Messages routes before any handler runs: every response under
 * {@code /v1/messages} also carries the request id as {@code request-id} (what the SDKs read: {@code requestId()}
 * on responses and exceptions), and a wrong method or an unknown path there (message batches are not offered) is
 * answered with Anthropic's error object instead of OpenAI's.
 */
public final class AnthropicEdge {
    static final HeaderName REQUEST_ID = HeaderNames.create("request-id");

    private AnthropicEdge() {}

    public static Filter filter() {
        return (chain, req, res) -> {
            String path = req.path().path();
            if (!path.startsWith(MessagesDialect.PATH) || (path.length() > MessagesDialect.PATH.length()
                    && path.charAt(MessagesDialect.PATH.length()) != '/')) {
                chain.proceed();
                return;
            }
            String requestId = WebHeaders.requestId(res);
            res.header(REQUEST_ID, requestId);
            String method = req.prologue().method().text();
            if (!path.equals(MessagesDialect.PATH) && !path.equals(CountTokensHandler.PATH)) {
                AnthropicErrors.send(res, new ApiError(404, "invalid_request_error", "unknown_url", null,
                        "Unknown request URL: " + method + " " + path + ".", null), requestId);
            } else if (req.prologue().method() != Method.POST) {
                AnthropicErrors.send(res, new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                        "Method " + method + " is not allowed on " + path + ".", null), requestId);
            } else {
                chain.proceed();
            }
        };
    }
}
