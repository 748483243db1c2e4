package ai.cortensor.portal.families;

import java.util.List;

/** The harmony control tags the output parser reads, and how a message header names its channel and recipient. */
final class HarmonyMarkup {
    static final String START = "<|start|>", END = "<|end|>", MESSAGE = "<|message|>", CHANNEL = "<|channel|>",
            CONSTRAIN = "<|constrain|>", RETURN = "<|return|>", CALL = "<|call|>", EOT = "<|endoftext|>";
    /** The structural tags; other special tokens (reserved ones) never appear in output and are read as text. */
    static final List<String> TAGS = List.of(START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL, EOT);

    private HarmonyMarkup() {}

    /** The tag starting at {@code i} of {@code s}, or null. */
    static String tagAt(String s, int i) {
        for (String t : TAGS) {
            if (s.startsWith(t, i)) {
                return t;
            }
        }
        return null;
    }

    /** Whether the rest of {@code s} from {@code i} is a proper prefix of a tag (so more text must be awaited). */
    static boolean partialTag(String s, int i) {
        int n = s.length() - i;
        for (String t : TAGS) {
            if (n < t.length() && t.regionMatches(0, s, i, n)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A complete header, read from the text between a message's start and its {@code <|message|>} (tags kept):
     * {@code channel} is the word after {@code <|channel|>} ("" without one); {@code recipient} the value of the
     * first {@code to=} that starts a word, in the role part or the channel part, or null.
     */
    record Header(String channel, String recipient) {
        static Header parse(String h) {
            int ch = h.indexOf(CHANNEL);
            String channel = ch < 0 ? "" : word(h.substring(ch + CHANNEL.length()).stripLeading());
            String recipient = null;
            for (int i = h.indexOf("to="); i >= 0 && recipient == null; i = h.indexOf("to=", i + 1)) {
                if (i == 0 || Character.isWhitespace(h.charAt(i - 1)) || h.charAt(i - 1) == '>') {
                    String r = word(h.substring(i + 3));
                    recipient = r.isEmpty() ? null : r;
                    break;
                }
            }
            return new Header(channel, recipient);
        }

        /** The function a {@code functions.NAME} recipient calls, or null. */
        String function() {
            return recipient != null && recipient.startsWith("functions.") && recipient.length() > 10
                    ? recipient.substring(10) : null;
        }

        /** The leading run of {@code s} up to whitespace or a tag. */
        private static String word(String s) {
            int e = 0;
            while (e < s.length() && !Character.isWhitespace(s.charAt(e)) && s.charAt(e) != '<') {
                e++;
            }
            return s.substring(0, e);
        }
    }
}
