package ai.cortensor.routersim;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/** Requires {@code Authorization: Bearer <apiKey>} on every {@code /api/...} path; 401 FastAPI detail otherwise. */
final class ApiKeyFilter implements Filter {

    private final String expected;

    ApiKeyFilter(String apiKey) {
        this.expected = "Bearer " + apiKey;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.path().path().startsWith("/api/")
                && !expected.equals(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null))) {
            FastApiReplies.send(res, Status.UNAUTHORIZED_401, FastApiReplies.INVALID_API_KEY);
            return;
        }
        chain.proceed();
    }
}
