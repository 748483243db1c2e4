package ai.cortensor.portal.families;

import java.time.LocalDate;

/**
 * Gemma 4 (26B-A4B / 31B and the 12B, which ship the same template): prompts as its official chat template renders
 * them ({@link Gemma4Renderer}, with the deviations listed there), completions parsed by {@link Gemma4Parser}.
 * Thinking is off unless the client turns it on (the template's default). The small E2B/E4B models' template differs
 * only in leaving out the empty thought after {@code <|turn>model\n} when thinking is off; this family renders the
 * large models' form.
 */
final class Gemma4Family implements Family {
    /**
     * Every special token of the Gemma 4 tokenizer that has a text form: the 24 added tokens (control, turn,
     * thought, tool and media markers). {@code <start_of_turn>}/{@code <end_of_turn>} belong to Gemma 3 and are
     * plain text here.
     */
    static final ControlTokens TOKENS = ControlTokens.of(
            "<bos>", "<eos>", "<pad>", "<unk>", "<mask>",
            "<|turn>", "<turn|>", "<|think|>", "<|channel>", "<channel|>",
            "<|tool>", "<tool|>", "<|tool_call>", "<tool_call|>", "<|tool_response>", "<tool_response|>", "<|\"|>",
            "<|image|>", "<|audio|>", "<|video|>", "<|image>", "<image|>", "<|audio>", "<audio|>");

    @Override
    public String id() {
        return "gemma-4";
    }

    /** {@code today} is unused: the template prints no date. */
    @Override
    public Rendered render(Conversation c, LocalDate today) {
        return Gemma4Renderer.render(c, TOKENS);
    }

    @Override
    public OutputParser parser(Rendered rendered) {
        String beforePrefill = rendered.prompt().substring(0, rendered.prompt().length() - rendered.prefill().length());
        return new Gemma4Parser(rendered.toolsOffered(), beforePrefill.endsWith(Gemma4Renderer.OPEN_THOUGHT));
    }

    @Override
    public ControlTokens controlTokens() {
        return TOKENS;
    }

    @Override
    public boolean reasons() {
        return true;
    }
}
