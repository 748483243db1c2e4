package ai.cortensor.portal.gateway;

import ai.cortensor.portal.plans.Admission;
import ai.cortensor.portal.plans.Windows;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/** OpenAI's six x-ratelimit headers (the 429 a rejection becomes is {@link Refusals}'). */
final class RateHeaders {
    private static final HeaderName LIMIT_REQUESTS = HeaderNames.create("x-ratelimit-limit-requests");
    private static final HeaderName REMAINING_REQUESTS = HeaderNames.create("x-ratelimit-remaining-requests");
    private static final HeaderName RESET_REQUESTS = HeaderNames.create("x-ratelimit-reset-requests");
    private static final HeaderName LIMIT_TOKENS = HeaderNames.create("x-ratelimit-limit-tokens");
    private static final HeaderName REMAINING_TOKENS = HeaderNames.create("x-ratelimit-remaining-tokens");
    private static final HeaderName RESET_TOKENS = HeaderNames.create("x-ratelimit-reset-tokens");

    private RateHeaders() {}

    static void set(ServerResponse res, Admission.Headroom requests, Admission.Headroom tokens) {
        if (requests != null) {
            res.header(LIMIT_REQUESTS, Long.toString(requests.limit()));
            res.header(REMAINING_REQUESTS, Long.toString(requests.remaining()));
            res.header(RESET_REQUESTS, Windows.header(requests.reset()));
        }
        if (tokens != null) {
            res.header(LIMIT_TOKENS, Long.toString(tokens.limit()));
            res.header(REMAINING_TOKENS, Long.toString(tokens.remaining()));
            res.header(RESET_TOKENS, Windows.header(tokens.reset()));
        }
    }
}
