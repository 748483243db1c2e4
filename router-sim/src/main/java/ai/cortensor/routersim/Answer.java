package ai.cortensor.routersim;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The tokens of one completion, per miner, decided before anything is sent so that a streaming and a
 * non-streaming answer to the same request are the same: the non-streaming text is the concatenation of the
 * frames, and both report the same {@code completion_tokens} and {@code finish_reason}.
 *
 * <p>Token {@code i} is due at {@code ttft + i / tps} whether or not it is sent: a token the detokenizer drops
 * ({@code dropSpecialTokens}) is generated and counted but gets no frame. Plain prompts keep the historic
 * {@link SimText} stream and its shared bytes.
 */
final class Answer {

    private static final Set<String> WORDS = Set.of(SimText.WORDS);

    private final int generated;
    private final String finishReason;
    /** [miner][token]: JSON-escaped UTF-8 text, null for a dropped token; null for a plain answer. */
    private final byte[][][] frames;

    private Answer(int generated, String finishReason, byte[][][] frames) {
        this.generated = generated;
        this.finishReason = finishReason;
        this.frames = frames;
    }

    /** The historic answer to a plain prompt (rules on {@link RouterSim}). */
    static Answer plain(int maxTokens, int configured) {
        int n = SimText.completionTokens(maxTokens, configured);
        return new Answer(n, SimText.finishReason(maxTokens, n), null);
    }

    /**
     * A model's answer: the {@code tokens} it would generate up to and including its stop token, cut to
     * {@code maxTokens} when that is positive and smaller (finish "length", else "stop"). Miner 1 writes the same
     * tokens with the sim's filler words in UPPERCASE, so a demultiplexer can tell the miners apart.
     *
     * @param drop tokens the detokenizer deletes from the text (still generated and counted)
     */
    static Answer of(List<String> tokens, int maxTokens, int miners, Predicate<String> drop) {
        boolean cut = maxTokens > 0 && tokens.size() > maxTokens;
        List<String> kept = cut ? tokens.subList(0, maxTokens) : tokens;
        byte[][][] frames = new byte[miners][kept.size()][];
        for (int i = 0; i < kept.size(); i++) {
            String t = kept.get(i);
            if (drop.test(t)) {
                continue;
            }
            frames[0][i] = utf8(t);
            if (miners > 1) {
                frames[1][i] = WORDS.contains(t.strip()) ? utf8(t.toUpperCase(Locale.ROOT)) : frames[0][i];
            }
        }
        return new Answer(kept.size(), cut ? "length" : "stop", frames);
    }

    private static byte[] utf8(String token) {
        return FastApiReplies.escape(token).getBytes(StandardCharsets.UTF_8);
    }

    /** Tokens generated: {@code completion_tokens}, and the count pacing is computed from. */
    int completionTokens() {
        return generated;
    }

    String finishReason() {
        return finishReason;
    }

    /** JSON-escaped UTF-8 text of token {@code i} of {@code miner}, or null when no frame is sent for it. */
    byte[] frame(int miner, int i) {
        return frames == null ? SimText.tokenBytes(miner, i) : frames[miner][i];
    }

    /** The JSON-escaped text of {@code miner}: the concatenation of its frames. */
    String textJson(int miner) {
        if (frames == null) {
            return SimText.text(miner, generated);
        }
        StringBuilder sb = new StringBuilder(generated * 6);
        for (byte[] f : frames[miner]) {
            if (f != null) {
                sb.append(new String(f, StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }
}
