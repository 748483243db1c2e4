package ai.cortensor.routersim;

import java.util.List;
import java.util.Objects;

/**
 * How the sim answers completion requests; replaced atomically by {@link RouterSim#behave(Behavior)}.
 *
 * @param ttftMillis       delay before the first token (non-streaming: before the whole response)
 * @param tokensPerSecond  token pacing; 0 = no delay between tokens
 * @param completionTokens plain prompts: tokens generated when the request's {@code max_tokens} does not ask for
 *                         fewer; family prompts: words of a prose answer (reasoning, calls and JSON come on top)
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
 * @param reasoningTokens  family prompts with reasoning on: words of reasoning (harmony {@code Reasoning: low}
 *                         halves it, {@code high} doubles it)
 * @param stopTokens       whether the family's stop token ends the text (see {@link StopTokens})
 * @param dropSpecialTokens family prompts: the detokenizer drops the family's special tokens from the text, as
 *                         {@code skip_special_tokens=true} does; they still count as generated tokens
 * @param script           when not empty: the exact raw output, one chunk per token / stream frame, for every
 *                         prompt (the model, {@code stopTokens} and {@code dropSpecialTokens} are bypassed;
 *                         {@code max_tokens} still cuts it)
 * @param jsonNonCompliantAttempts the first n structured-output requests (JSON asked for in the system text)
 *                         since the last {@code behave(...)}/{@code resetStats()} get a non-compliant answer
 * @param jsonFault        what a non-compliant JSON answer looks like (see {@link JsonFault})
 */
public record Behavior(long ttftMillis, double tokensPerSecond, int completionTokens, Failure failure,
                       int failEveryNth, int cutAfterChunks, boolean interleaveMiners,
                       boolean usageInStream, boolean commentLines, long timeoutMillis,
                       int reasoningTokens, StopTokens stopTokens, boolean dropSpecialTokens, List<String> script,
                       int jsonNonCompliantAttempts, JsonFault jsonFault) {

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
        CUT_MID_STREAM,
        /** 200 and a body that is neither JSON nor SSE (a proxy's HTML error page with binary junk), then close. */
        GARBAGE,
        /** 200 and one line that never ends: bytes without a newline until the client gives up. */
        ENDLESS_LINE,
        /**
         * 200 and a byte every 200 ms forever — SSE comment lines for a stream, JSON whitespace for a whole answer —
         * so no read ever times out; only a total deadline ends it.
         */
        TRICKLE
    }

    /** Whether the token that stopped generation is the last thing in the text (routers differ). */
    public enum StopTokens {
        /** Harmony writes {@code <|return|>} / {@code <|call|>} (llama.cpp-style); qwen and gemma write none (vLLM-style). */
        FAMILY_DEFAULT,
        /** Every family writes its stop token: qwen {@code <|im_end|>}, gemma {@code <turn|>} / {@code <|tool_response>}. */
        ALWAYS,
        /** No family writes one. */
        NEVER
    }

    /** A structured-output answer that does not comply. */
    public enum JsonFault {
        /** The JSON misses the schema's first required top-level property; {@link #PROSE} when nothing is required. */
        MISSING_REQUIRED,
        /** A sentence of prose, no JSON at all. */
        PROSE,
        /** Valid JSON wrapped in a {@code ```json} code fence. */
        CODE_FENCE
    }

    public Behavior {
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(stopTokens, "stopTokens");
        Objects.requireNonNull(jsonFault, "jsonFault");
        script = script == null ? List.of() : List.copyOf(script);
        requireNonNegative("ttftMillis", ttftMillis);
        requireNonNegative("completionTokens", completionTokens);
        requireNonNegative("cutAfterChunks", cutAfterChunks);
        requireNonNegative("timeoutMillis", timeoutMillis);
        requireNonNegative("reasoningTokens", reasoningTokens);
        requireNonNegative("jsonNonCompliantAttempts", jsonNonCompliantAttempts);
        if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
            throw new IllegalArgumentException("tokensPerSecond must be finite and >= 0, was " + tokensPerSecond);
        }
        if (failEveryNth < 1) {
            throw new IllegalArgumentException("failEveryNth must be >= 1, was " + failEveryNth);
        }
    }

    /** The first ten components; the family ones take their defaults. */
    public Behavior(long ttftMillis, double tokensPerSecond, int completionTokens, Failure failure, int failEveryNth,
                    int cutAfterChunks, boolean interleaveMiners, boolean usageInStream, boolean commentLines,
                    long timeoutMillis) {
        this(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks, interleaveMiners,
                usageInStream, commentLines, timeoutMillis, 8, StopTokens.FAMILY_DEFAULT, false, List.of(), 0,
                JsonFault.MISSING_REQUIRED);
    }

    /**
     * ttft 0, tps 0, 16 tokens, no failure, failEveryNth 1, cutAfterChunks 3, no extras, timeout 30 s; 8 reasoning
     * words, family-default stop tokens, special tokens kept, no script, JSON always compliant.
     */
    public static Behavior defaults() {
        return new Behavior(0, 0, 16, Failure.NONE, 1, 3, false, false, false, 30_000);
    }

    public Behavior withTtftMillis(long v) {
        return new Behavior(v, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens,
                dropSpecialTokens, script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withTokensPerSecond(double v) {
        return new Behavior(ttftMillis, v, completionTokens, failure, failEveryNth, cutAfterChunks, interleaveMiners,
                usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens, dropSpecialTokens, script,
                jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withCompletionTokens(int v) {
        return new Behavior(ttftMillis, tokensPerSecond, v, failure, failEveryNth, cutAfterChunks, interleaveMiners,
                usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens, dropSpecialTokens, script,
                jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withFailure(Failure v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, v, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens,
                dropSpecialTokens, script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withFailEveryNth(int v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, v, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens,
                dropSpecialTokens, script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withCutAfterChunks(int v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, v,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens,
                dropSpecialTokens, script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withInterleaveMiners(boolean v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks, v,
                usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens, dropSpecialTokens, script,
                jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withUsageInStream(boolean v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, v, commentLines, timeoutMillis, reasoningTokens, stopTokens, dropSpecialTokens,
                script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withCommentLines(boolean v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, v, timeoutMillis, reasoningTokens, stopTokens, dropSpecialTokens,
                script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withTimeoutMillis(long v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, v, reasoningTokens, stopTokens, dropSpecialTokens,
                script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withReasoningTokens(int v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, v, stopTokens, dropSpecialTokens,
                script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withStopTokens(StopTokens v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, v, dropSpecialTokens,
                script, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withDropSpecialTokens(boolean v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens, v, script,
                jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withScript(List<String> v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens,
                dropSpecialTokens, v, jsonNonCompliantAttempts, jsonFault);
    }

    public Behavior withJsonNonCompliantAttempts(int v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens,
                dropSpecialTokens, script, v, jsonFault);
    }

    public Behavior withJsonFault(JsonFault v) {
        return new Behavior(ttftMillis, tokensPerSecond, completionTokens, failure, failEveryNth, cutAfterChunks,
                interleaveMiners, usageInStream, commentLines, timeoutMillis, reasoningTokens, stopTokens,
                dropSpecialTokens, script, jsonNonCompliantAttempts, v);
    }

    /** {@link #withScript(List)} with the chunks given inline. */
    public Behavior withScript(String... chunks) {
        return withScript(List.of(chunks));
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
    }
}
