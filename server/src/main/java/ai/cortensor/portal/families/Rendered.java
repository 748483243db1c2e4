package ai.cortensor.portal.families;

/**
 * A rendered prompt. {@code prompt} is sent to the router whole; its last {@code prefill} characters are the start
 * of the assistant's answer the gateway wrote for the model (e.g. the opening of a forced tool call), which the
 * parser reads first as if the model had written it. {@code thinking} says whether the model was left free to
 * reason; {@code toolsOffered} whether tool calls in the output are parsed as calls (false: they are content).
 */
public record Rendered(String prompt, String prefill, boolean thinking, boolean toolsOffered) {
    public Rendered {
        if (!prompt.endsWith(prefill)) {
            throw new IllegalArgumentException("the prefill must end the prompt");
        }
    }

    public static Rendered of(String prompt, boolean thinking, boolean toolsOffered) {
        return new Rendered(prompt, "", thinking, toolsOffered);
    }
}
