package ai.cortensor.portal;

/** The router simulator's deterministic output: token i is WORDS[i % 16] + " " (see RouterSim's javadoc). */
final class SimWords {
    static final String[] WORDS = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
            "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et"};

    static String text(int tokens) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            b.append(WORDS[i % WORDS.length]).append(' ');
        }
        return b.toString();
    }

    private SimWords() {}
}
