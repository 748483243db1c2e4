package ai.cortensor.routersim;

import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic stand-in for a BPE tokenizer, so that streaming, {@code max_tokens} and usage behave like a real
 * model's. {@link #split} cuts text into tokens, in order of precedence:
 * <ol>
 *   <li>a special token of the family (e.g. {@code <|channel|>}, {@code <think>}, {@code <|"|>}) is one token;</li>
 *   <li>a run of letters, digits and {@code _} is one token, together with one following space if there is one
 *       ({@code "lorem "}, {@code "get_weather"});</li>
 *   <li>a run of whitespace is one token ({@code "\n\n"});</li>
 *   <li>any other code point is one token, together with one following space ({@code ": "}, an opening brace).</li>
 * </ol>
 * The concatenation of the tokens is always the input; a surrogate pair is never split.
 */
final class Tokens {

    private Tokens() {
    }

    static List<String> split(String text, Family family) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int len = text.length();
        while (i < len) {
            int end = special(text, i, family);
            if (end < 0) {
                int cp = text.codePointAt(i);
                if (isWordChar(cp)) {
                    end = i;
                    while (end < len && isWordChar(text.codePointAt(end))) {
                        end += Character.charCount(text.codePointAt(end));
                    }
                    end = withSpace(text, end);
                } else if (Character.isWhitespace(cp)) {
                    end = i;
                    while (end < len && Character.isWhitespace(text.charAt(end))) {
                        end++;
                    }
                } else {
                    end = withSpace(text, i + Character.charCount(cp));
                }
            }
            out.add(text.substring(i, end));
            i = end;
        }
        return out;
    }

    /** End of the special token starting at {@code i}, or -1. */
    private static int special(String text, int i, Family family) {
        if (text.charAt(i) != '<') {
            return -1;
        }
        for (String t : family.specialTokens()) {
            if (text.startsWith(t, i)) {
                return i + t.length();
            }
        }
        return -1;
    }

    private static int withSpace(String text, int end) {
        return end < text.length() && text.charAt(end) == ' ' ? end + 1 : end;
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || cp == '_';
    }
}
