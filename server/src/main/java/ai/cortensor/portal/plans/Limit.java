package ai.cortensor.portal.plans;

import java.time.Duration;

/**
 * One limit to enforce: on a scope (an account or a key, by {@code scopeId}) of a kind, with a maximum over a
 * sliding window ({@code window} is zero for the concurrency limit). Windows slide in 60 buckets, so usage
 * leaves a window in steps of {@code window / 60} (1 s for a minute, 2.8 h for a week).
 */
public record Limit(Scope scope, String scopeId, LimitKind kind, long max, Duration window) {

    public enum Scope { ACCOUNT, KEY }

    public static final int BUCKETS = 60;

    /** The counter's identity: scope, id, kind and window (a changed window is a new counter). */
    public String counterKey() {
        return (scope == Scope.ACCOUNT ? "a:" : "k:") + scopeId + ":" + kind.key() + ":" + window.toSeconds();
    }

    public long bucketMillis() {
        return Math.max(1, window.toMillis() / BUCKETS);
    }

    /** "60 requests per minute on your account" — for error messages and the blocked-why answer. */
    public String describe() {
        String where = scope == Scope.ACCOUNT ? "your account" : "this key";
        String text = switch (kind) {
            case SHORT_WINDOW_REQUESTS -> max + " requests per " + Windows.human(window) + " on " + where;
            case CONCURRENT_REQUESTS -> max + " concurrent requests on " + where;
            default -> max + " " + kind.label() + " on " + where;
        };
        return max == 1 ? text.replaceFirst("(request|token)s\\b", "$1") : text; // "1 request per minute"
    }
}
