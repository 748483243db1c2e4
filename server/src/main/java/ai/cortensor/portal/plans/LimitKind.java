package ai.cortensor.portal.plans;

/**
 * What a limit counts. Rate kinds protect capacity and answer {@code 429 rate_limit_exceeded}; allowance kinds are
 * what the plan sells and answer {@code 429 insufficient_quota}. {@code key} is the name in {@code plans.limits}.
 */
public enum LimitKind {
    REQUESTS_PER_MINUTE("rpm", false, false, "requests per minute"),
    TOKENS_PER_MINUTE("tpm", true, false, "tokens per minute"),
    SHORT_WINDOW_REQUESTS("short_window_requests", false, false, "requests per short window"),
    WEEKLY_REQUESTS("weekly_requests", false, true, "requests per week"),
    WEEKLY_TOKENS("weekly_tokens", true, true, "tokens per week"),
    CONCURRENT_REQUESTS("max_concurrent", false, false, "concurrent requests");

    private final String key;
    private final boolean tokens;
    private final boolean allowance;
    private final String label;

    LimitKind(String key, boolean tokens, boolean allowance, String label) {
        this.key = key;
        this.tokens = tokens;
        this.allowance = allowance;
        this.label = label;
    }

    public String key() { return key; }

    /** Counts tokens (else requests). */
    public boolean tokens() { return tokens; }

    /** An allowance the plan sells (weekly), as opposed to a rate limit. */
    public boolean allowance() { return allowance; }

    public String label() { return label; }

    public boolean concurrency() { return this == CONCURRENT_REQUESTS; }
}
