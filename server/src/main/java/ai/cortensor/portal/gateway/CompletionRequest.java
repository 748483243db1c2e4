package ai.cortensor.portal.gateway;

import ai.cortensor.portal.families.Conversation;
import java.util.List;

/**
 * A validated completion request, chat or text. Exactly one of {@code conversation} (chat) and {@code prompt}
 * (text) is set. Optional sampling fields are null when the client did not send them.
 */
record CompletionRequest(Route route, String model, Conversation conversation, String prompt,
                         boolean stream, boolean includeUsage, Integer maxTokens, Double temperature, Double topP,
                         Integer topK, Double presencePenalty, Double frequencyPenalty, List<String> stop) {}
