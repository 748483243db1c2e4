package ai.cortensor.portal.families;

import java.util.List;

/**
 * The control-token strings of a family. Client text that contains one is neutralised before rendering by putting
 * a U+2060 WORD JOINER after its first character ({@code <|im_end|>} becomes {@code <\u2060|im_end|>}): the text
 * reads the same to a person and to the model, but no tokenizer can match it as the special token, so a message
 * can never open a turn, a channel or a tool call of its own.
 */
public record ControlTokens(List<String> tokens) {
    public static final char JOINER = '\u2060';

    public ControlTokens {
        tokens = List.copyOf(tokens);
    }

    public static ControlTokens of(String... tokens) {
        return new ControlTokens(List.of(tokens));
    }

    /** {@code text} with every occurrence of every token broken; the same instance when there is none. */
    public String neutralise(String text) {
        if (text == null || text.isEmpty() || text.indexOf('<') < 0) {
            return text;
        }
        StringBuilder b = null;
        int copied = 0;
        for (int i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
            for (String t : tokens) {
                if (text.startsWith(t, i)) {
                    if (b == null) {
                        b = new StringBuilder(text.length() + 16);
                    }
                    b.append(text, copied, i + 1).append(JOINER);
                    copied = i + 1;
                    break;
                }
            }
        }
        return b == null ? text : b.append(text, copied, text.length()).toString();
    }
}
