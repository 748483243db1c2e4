package ai.cortensor.routersim;

import java.util.List;
import java.util.Set;

/**
 * The prompt dialect a completion request is written in, told apart by how the prompt starts (every renderer of
 * these templates starts the same way, and client text can never come first):
 * <ul>
 *   <li>{@link #QWEN}: ChatML, starts with {@code <|im_start|>};</li>
 *   <li>{@link #HARMONY}: gpt-oss, starts with {@code <|start|>system<|message|>} (or any {@code <|start|>} message);</li>
 *   <li>{@link #GEMMA}: Gemma 4, starts with {@code <bos><|turn>} (or {@code <|turn>});</li>
 *   <li>{@link #PLAIN}: anything else; answered with the historic lorem-ipsum word stream, byte for byte.</li>
 * </ul>
 * {@link #specialTokens} are what {@link Tokens} keeps whole; {@link #dropped} are those a detokenizer with
 * {@code skip_special_tokens=true} deletes. For Qwen3 {@code <think>}, {@code </think>}, {@code <tool_call>} and
 * {@code <tool_response>} are added tokens that are <em>not</em> special, so they survive; only the ChatML markers go.
 */
enum Family {
    PLAIN(List.of(), Set.of()),
    QWEN(List.of("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
            "<tool_response>", "</tool_response>"),
            Set.of("<|im_start|>", "<|im_end|>", "<|endoftext|>")),
    HARMONY(List.of("<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|return|>", "<|call|>",
            "<|endoftext|>"), null),
    GEMMA(List.of("<|channel>", "<channel|>", "<|tool_call>", "<tool_call|>", "<|\"|>", "<|tool_response>",
            "<tool_response|>", "<|turn>", "<turn|>", "<|think|>", "<|tool>", "<tool|>", "<bos>", "<eos>"), null);

    private final List<String> specialTokens;
    private final Set<String> dropped;

    /** {@code dropped == null}: every special token is dropped. */
    Family(List<String> specialTokens, Set<String> dropped) {
        this.specialTokens = specialTokens;
        this.dropped = dropped == null ? Set.copyOf(specialTokens) : dropped;
    }

    static Family detect(String prompt) {
        if (prompt.startsWith("<|im_start|>")) {
            return QWEN;
        }
        if (prompt.startsWith("<|start|>")) {
            return HARMONY;
        }
        if (prompt.startsWith("<bos><|turn>") || prompt.startsWith("<|turn>")) {
            return GEMMA;
        }
        return PLAIN;
    }

    /** Strings the tokenizer emits as one token each. */
    List<String> specialTokens() {
        return specialTokens;
    }

    /** True when {@code token} disappears from the text under {@code skip_special_tokens=true}. */
    boolean dropped(String token) {
        return dropped.contains(token);
    }
}
