package ai.cortensor.portal.gateway;

import ai.cortensor.portal.plans.Admission;
import ai.cortensor.portal.plans.Windows;
import ai.cortensor.portal.web.ApiError;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;

/** OpenAI's six x-ratelimit headers, and the 429 a rejection becomes. */
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

    /** 429 rate_limit_exceeded (a rate) or insufficient_quota (the plan's allowance), saying which limit and when. */
    static ApiError rejection(Admission.Rejected r) {
        Duration wait = r.retryAfter();
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        String when = "in " + Windows.readable(wait);
        if (r.limit().kind().allowance()) {
            return new ApiError(429, "insufficient_quota", "insufficient_quota", null, "You have used your allowance of "
                    + r.limit().describe() + " (" + r.used() + " used in the last 7 days). Usage frees up " + when
                    + "; a larger plan raises the allowance.", seconds);
        }
        return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null, "Rate limit reached: "
                + r.limit().describe() + " (" + r.used() + " in use). Try again " + when + ".", seconds);
    }
}
