package ai.cortensor.routersim;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The deterministic "model": completion text and token accounting (rules are listed on {@link RouterSim}).
 * Token {@code i} of miner 0 is {@code WORDS[i % 16] + " "}; miner 1 produces the same words in UPPERCASE.
 */
final class SimText {

    /** The fixed vocabulary, cycled. */
    static final String[] WORDS = {
        "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
        "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et"
    };

    private static final String[][] TOKENS = new String[2][WORDS.length];
    private static final byte[][][] TOKEN_BYTES = new byte[2][WORDS.length][];

    static {
        for (int i = 0; i < WORDS.length; i++) {
            TOKENS[0][i] = WORDS[i] + " ";
            TOKENS[1][i] = WORDS[i].toUpperCase(Locale.ROOT) + " ";
            TOKEN_BYTES[0][i] = TOKENS[0][i].getBytes(StandardCharsets.US_ASCII);
            TOKEN_BYTES[1][i] = TOKENS[1][i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private SimText() {
    }

    /** Token {@code i} (0-based) of {@code miner} (0 or 1), trailing space included; JSON-safe ASCII. */
    static String token(int miner, int i) {
        return TOKENS[miner][i % WORDS.length];
    }

    /** Same as {@link #token} as shared, never-to-be-modified ASCII bytes. */
    static byte[] tokenBytes(int miner, int i) {
        return TOKEN_BYTES[miner][i % WORDS.length];
    }

    /** The concatenation of the first {@code n} tokens of {@code miner}. */
    static String text(int miner, int n) {
        StringBuilder sb = new StringBuilder(n * 8);
        for (int i = 0; i < n; i++) {
            sb.append(token(miner, i));
        }
        return sb.toString();
    }

    /** {@code min(maxTokens, configured)} when {@code maxTokens > 0}, else {@code configured}. */
    static int completionTokens(int maxTokens, int configured) {
        return maxTokens > 0 ? Math.min(maxTokens, configured) : configured;
    }

    /** "length" when the request's {@code max_tokens} capped the output, else "stop". */
    static String finishReason(int maxTokens, int n) {
        return maxTokens > 0 && n == maxTokens ? "length" : "stop";
    }

    /** Whitespace-separated words in {@code prompt}, at least 1. */
    static int promptTokens(String prompt) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0, len = prompt.length(); i < len; i++) {
            boolean space = Character.isWhitespace(prompt.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return Math.max(1, words);
    }
}
