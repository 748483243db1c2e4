package ai.cortensor.routersim;

import java.util.Objects;

/**
 * How the sim answers completion requests; replaced atomically by {@link RouterSim#behave(Behavior)}.
 *
 * @param ttftMillis       delay before the first token (non-streaming: before the whole response)
 * @param tokensPerSecond  token pacing; 0 = no delay between tokens
 * @param completionTokens tokens generated when the request's {@code max_tokens} does not ask for fewer
 * @param failure          failure injected into every {@code failEveryNth}-th completion request
 * @param failEveryNth     1 = every request; n = the n-th, 2n-th, ... request counted since the last
 *                         {@code behave(...)} or {@code resetStats()}. Only requests that would otherwise
 *                         succeed (auth, body and session valid) are counted.
 * @param cutAfterChunks   for {@link Failure#CUT_MID_STREAM}: data frames sent before the connection is killed
 * @param interleaveMiners answer as two miners: a second choice (non-streaming) or a second, interleaved
 *                         SSE stream with its own {@code id}/{@code task_id} and UPPERCASE text
 * @param usageInStream    the final stream frame carries {@code usage}
 * @param commentLines     SSE {@code : keep-alive} comment lines before the first frame and every 4 frames
 * @param timeoutMillis    for {@link Failure#TIMEOUT}: how long to stay silent before closing the connection
 */
public record Behavior(long ttftMillis, double tokensPerSecond, int completionTokens, Failure failure,
                       int failEveryNth, int cutAfterChunks, boolean interleaveMiners,
                       boolean usageInStream, boolean commentLines, long timeoutMillis) {

    /** Injected failure modes. */
    public enum Failure {
        /** Normal answers. */
        NONE,
        /** 500 with a FastAPI {@code {"detail": ...}} body. */
        HTTP_500,
        /** 502 with a FastAPI {@code {"detail": ...}} body. */
        HTTP_502,
        /** 503 with a FastAPI {@code {"detail": ...}} body. */
        HTTP_503,
        /** Read the request, send nothing for {@code timeoutMillis}, then close the connection. */
        TIMEOUT,
        /** Close the connection without sending a single response byte. */
        RESET_BEFORE_FIRST_BYTE,
        /**
         * Streaming: {@code cutAfterChunks} data frames, then close without {@code [DONE]} and without the
         * terminating HTTP chunk. Non-streaming: same as {@link #RESET_BEFORE_FIRST_BYTE}.
         */
        CUT_MID_STREAM
    }

    public Behavior {
        Objects.requireNonNull(failure, "failure");
        requireNonNegative("ttftMillis", ttftMillis);
        requireNonNegative("completionTokens", completionTokens);
        requireNonNegative("cutAfterChunks", cutAfterChunks);
        requireNonNegative("timeoutMillis", timeoutMillis);
        if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
            throw new IllegalArgumentException("tokensPerSecond must be finite and >= 0, was " + tokensPerSecond);
        }
        if (failEveryNth < 1) {
            throw new IllegalArgumentException("failEveryNth must be >= 1, was " + failEveryNth);
        }
    }

    /** ttft 0, tps 0, 16 tokens, no failure, failEveryNth 1, cutAfterChunks 3, no extras, timeout 30 s. */
    public static Behavior defaults() {
        return new Behavior(0, 0, 16, Failure.NONE, 1, 3, false, false, false, 30_000);
    }

    public Behavior withTtftMillis(long v) {
        return new Behavior(v, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis);
    }

    public Behavior withTokensPerSecond(double v) {
        return new Behavior(ttftMillis, v, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis);
    }

    public Behavior withCompletionTokens(int v) {
        return new Behavior(ttftMillis, tokensPerSecond, v, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis);
    }

    public Behavior withFailure(Failure v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, v, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis);
    }

    public Behavior withFailEveryNth(int v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, v, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis);
    }

    public Behavior withCutAfterChunks(int v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, v,
                interleaveMiners, usageInStream, commentLines, timeoutMillis);
    }

    public Behavior withInterleaveMiners(boolean v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                v, usageInStream, commentLines, timeoutMillis);
    }

    public Behavior withUsageInStream(boolean v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, v, commentLines, timeoutMillis);
    }

    public Behavior withCommentLines(boolean v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, v, timeoutMillis);
    }

    public Behavior withTimeoutMillis(long v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, v);
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
    }
}
