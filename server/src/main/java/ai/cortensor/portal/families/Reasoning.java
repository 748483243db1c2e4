package ai.cortensor.portal.families;

/**
 * How much the model should think. {@code effort} is OpenAI's {@code reasoning_effort} ({@code none},
 * {@code minimal}, {@code low}, {@code medium}, {@code high}) or null for the family's default; {@code thinking}
 * is an explicit on/off ({@code chat_template_kwargs.enable_thinking}) or null. Each family maps both onto what its
 * template understands: harmony's {@code Reasoning: low|medium|high}, Qwen's and Gemma's thinking switch.
 */
public record Reasoning(String effort, Boolean thinking) {
    public static final Reasoning DEFAULT = new Reasoning(null, null);

    /** Thinking on or off for a model with a thinking switch whose own default is {@code familyDefault}. */
    public boolean thinkingOn(boolean familyDefault) {
        if (thinking != null) {
            return thinking;
        }
        if (effort != null) {
            return !effort.equals("none") && !effort.equals("minimal");
        }
        return familyDefault;
    }
}
