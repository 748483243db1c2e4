package ai.cortensor.portal.gateway;

/**
 * The tokens of one answer as metered: router-reported, or counted by the gateway and {@code estimated}.
 * {@code reasoningTokens} is the part of {@code outputTokens} spent on reasoning (counted by the gateway; 0 when
 * there was none or the dialect does not report it).
 */
public record Usage(int inputTokens, int outputTokens, int reasoningTokens, boolean estimated) {
    public int totalTokens() {
        return inputTokens + outputTokens;
    }
}
