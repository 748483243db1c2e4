package ai.cortensor.portal.pools;

/**
 * A model's prices in micro-USD per million tokens: {@code input} (prompt), {@code output} (completion), and
 * {@code reasoning} for the reasoning part of the output when priced differently (null: at {@code output}).
 */
public record Prices(long input, long output, Long reasoning) {
    /** 1 000 USD per million tokens: a ceiling that keeps every cost computation far inside a {@code long}. */
    public static final long MAX = 1_000_000_000L;
    public static final Prices FREE = new Prices(0, 0, null);

    public Prices {
        if (input < 0 || output < 0 || (reasoning != null && reasoning < 0)) {
            throw new IllegalArgumentException("prices are not negative");
        }
    }

    /**
     * What the tokens cost in micro-USD, rounded half up to a whole micro-USD (each request once; the ledger sums
     * these integers). {@code reasoningTokens} are part of {@code outputTokens}.
     */
    public long cost(long inputTokens, long outputTokens, long reasoningTokens) {
        long out = Math.max(0, outputTokens);
        long r = Math.min(Math.max(0, reasoningTokens), out);
        long rate = reasoning == null ? output : reasoning;
        // tokens stay below 2^31 and prices below MAX, so each product fits a long with room to spare
        long microsPerMillion = Math.max(0, inputTokens) * input + (out - r) * output + r * rate;
        return (microsPerMillion + 500_000) / 1_000_000;
    }

    /** The most {@code inputTokens} and up to {@code maxOutputTokens} can cost, whatever part of it is reasoning. */
    public long worstCase(long inputTokens, long maxOutputTokens) {
        long rate = reasoning == null ? output : Math.max(output, reasoning);
        return (Math.max(0, inputTokens) * input + Math.max(0, maxOutputTokens) * rate + 500_000) / 1_000_000;
    }

    /**
     * A change to some of a model's prices: a null {@code input} or {@code output} keeps it; {@code reasoning} is
     * set (to null: reasoning tokens at the output price) only when {@code setReasoning}.
     */
    public record Edit(Long input, Long output, boolean setReasoning, Long reasoning) {
        public boolean empty() {
            return input == null && output == null && !setReasoning;
        }

        public Prices applyTo(Prices p) {
            return new Prices(input == null ? p.input() : input, output == null ? p.output() : output,
                    setReasoning ? reasoning : p.reasoning());
        }
    }

    public boolean free() {
        return input == 0 && output == 0 && (reasoning == null || reasoning == 0);
    }
}
