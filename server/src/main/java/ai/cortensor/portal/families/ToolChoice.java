package ai.cortensor.portal.families;

/** OpenAI {@code tool_choice}: whether the model may, must not, must, or must call one named function. */
public sealed interface ToolChoice {
    ToolChoice AUTO = new Auto();
    ToolChoice NONE = new None();
    ToolChoice REQUIRED = new Required();

    record Auto() implements ToolChoice {}

    record None() implements ToolChoice {}

    record Required() implements ToolChoice {}

    record Named(String name) implements ToolChoice {}

    /** True when the model must call a tool (required or a named function). */
    default boolean forced() {
        return this instanceof Required || this instanceof Named;
    }
}
