package ai.cortensor.portal.families;

/**
 * Parses one completion as it streams. {@link #feed} may be called with any split of the text (a control tag can
 * arrive in two pieces); a parser emits what is certain and holds back only what might still turn out to be a tag.
 * The events of the whole text are the same however it was split (streaming and non-streaming agree). Never
 * throws on model output: text that is not a well-formed construct of the family is content.
 */
public interface OutputParser {
    /** The next piece of the model's raw text. */
    void feed(String text, OutputSink out);

    /** The model stopped (an end token, a stop token outside the text, or max_tokens): emits what was held back. */
    void finish(OutputSink out);

    /** True once the model ended its turn (e.g. {@code <|im_end|>}, {@code <|return|>}); later text is ignored. */
    boolean ended();
}
