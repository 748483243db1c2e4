package ai.cortensor.portal.gateway;

import ai.cortensor.portal.families.Conversation;
import java.util.List;

/**
 * The one internal request every dialect parses into. Exactly one of {@code conversation} (a chat, rendered by the
 * model's family) and {@code prompt} (raw text, sent as it is: the Completions dialect) is set.
 *
 * @param maxTokens      the client's output limit, or null for the model's maximum
 * @param maxTokensParam the field that set it, named in errors ({@code max_tokens}, {@code max_output_tokens}, …)
 * @param inputParam     the field that holds the conversation or prompt, named in errors ({@code messages}, …)
 */
public record InferenceRequest(String model, Conversation conversation, String prompt, boolean stream,
                               Integer maxTokens, Sampling sampling, String maxTokensParam, String inputParam) {
    public InferenceRequest {
        if ((conversation == null) == (prompt == null)) {
            throw new IllegalArgumentException("exactly one of conversation and prompt");
        }
    }

    /**
     * Sampling settings passed to the router as they are; null fields were not sent.
     *
     * @param stop at most four stop sequences, or null
     */
    public record Sampling(Double temperature, Double topP, Integer topK, Double presencePenalty,
                           Double frequencyPenalty, List<String> stop) {
        public static final Sampling DEFAULT = new Sampling(null, null, null, null, null, null);
    }
}
